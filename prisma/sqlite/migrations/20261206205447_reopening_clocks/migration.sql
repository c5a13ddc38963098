-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN "reopenAcknowledgedAt" DATETIME;
ALTER TABLE "Ticket" ADD COLUMN "reopenOnSiteAt" DATETIME;
ALTER TABLE "Ticket" ADD COLUMN "reopenedAt" DATETIME;
