-- AlterTable
ALTER TABLE "SandboxMessage" ADD COLUMN     "attachment" TEXT;
