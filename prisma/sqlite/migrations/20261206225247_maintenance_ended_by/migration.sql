-- AlterTable
ALTER TABLE "MaintenanceWindow" ADD COLUMN "endedById" INTEGER;
ALTER TABLE "MaintenanceWindow" ADD COLUMN "endedByName" TEXT;

-- AlterTable
ALTER TABLE "Notice" ADD COLUMN "cancelledById" INTEGER;
ALTER TABLE "Notice" ADD COLUMN "cancelledByName" TEXT;
