-- AlterTable
ALTER TABLE "MaintenanceWindow" ADD COLUMN     "endedById" INTEGER,
ADD COLUMN     "endedByName" TEXT;

-- AlterTable
ALTER TABLE "Notice" ADD COLUMN     "cancelledById" INTEGER,
ADD COLUMN     "cancelledByName" TEXT;
