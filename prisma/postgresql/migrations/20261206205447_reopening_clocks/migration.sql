-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "reopenAcknowledgedAt" TIMESTAMP(3),
ADD COLUMN     "reopenOnSiteAt" TIMESTAMP(3),
ADD COLUMN     "reopenedAt" TIMESTAMP(3);
