-- AlterTable
ALTER TABLE "InboundEvent" ADD COLUMN     "payload" TEXT;

-- CreateIndex
CREATE INDEX "InboundEvent_outcome_id_idx" ON "InboundEvent"("outcome", "id");
