-- CreateTable
CREATE TABLE "InspectionJob" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "plan" TEXT NOT NULL,
    "periodKey" TEXT NOT NULL,
    "dueDate" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "systems" TEXT NOT NULL DEFAULT '[]',
    "checklist" TEXT NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'planned',
    "assigneeId" INTEGER,
    "assigneeName" TEXT,
    "assignedBy" TEXT,
    "assignedAt" TIMESTAMP(3),
    "announcedAt" TIMESTAMP(3),
    "doneAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InspectionJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InspectionRecord" (
    "id" SERIAL NOT NULL,
    "jobId" INTEGER NOT NULL,
    "inspectorId" INTEGER,
    "inspectorName" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "checklist" TEXT NOT NULL,
    "note" TEXT,
    "summary" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "inboundEventId" INTEGER,

    CONSTRAINT "InspectionRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InspectionFinding" (
    "id" SERIAL NOT NULL,
    "recordId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "device" TEXT,
    "checklistItem" TEXT,
    "ticketId" INTEGER,

    CONSTRAINT "InspectionFinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FollowUpVisit" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "ticketId" INTEGER,
    "periodKey" TEXT,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'planned',
    "owner" TEXT NOT NULL DEFAULT '{}',
    "assigneeId" INTEGER,
    "assigneeName" TEXT,
    "assignedAt" TIMESTAMP(3),
    "doneAt" TIMESTAMP(3),
    "visitorId" INTEGER,
    "visitorName" TEXT,
    "notes" TEXT,
    "ticketIds" TEXT NOT NULL DEFAULT '[]',
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "inboundEventId" INTEGER,

    CONSTRAINT "FollowUpVisit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notice" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "customerId" INTEGER,
    "text" TEXT NOT NULL,
    "authorId" INTEGER,
    "authorName" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "postedAt" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),
    "inboundEventId" INTEGER,

    CONSTRAINT "Notice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NoticeDelivery" (
    "id" SERIAL NOT NULL,
    "noticeId" INTEGER NOT NULL,
    "chatId" INTEGER NOT NULL,
    "postedAt" TIMESTAMP(3),
    "outboxId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NoticeDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MaintenanceWindow" (
    "id" SERIAL NOT NULL,
    "noticeId" INTEGER,
    "customerId" INTEGER,
    "start" TIMESTAMP(3) NOT NULL,
    "end" TIMESTAMP(3) NOT NULL,
    "systems" TEXT NOT NULL DEFAULT '[]',
    "allSystems" BOOLEAN NOT NULL DEFAULT false,
    "stations" TEXT NOT NULL DEFAULT '[]',
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MaintenanceWindow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MaintenanceReport" (
    "id" SERIAL NOT NULL,
    "windowId" INTEGER NOT NULL,
    "ticketId" INTEGER,
    "chatId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "inboundEventId" INTEGER,

    CONSTRAINT "MaintenanceReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RepairFlow" (
    "id" SERIAL NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "part" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "quotedAt" TIMESTAMP(3),
    "repairedAt" TIMESTAMP(3),
    "returnedAt" TIMESTAMP(3),
    "costCents" INTEGER,
    "periodDays" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RepairFlow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RepairStep" (
    "id" SERIAL NOT NULL,
    "flowId" INTEGER NOT NULL,
    "step" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actorId" INTEGER,
    "actorName" TEXT NOT NULL,
    "note" TEXT,
    "costCents" INTEGER,
    "periodDays" INTEGER,
    "correction" BOOLEAN NOT NULL DEFAULT false,
    "inboundEventId" INTEGER,

    CONSTRAINT "RepairStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmergencyReport" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "clock" TEXT,
    "breachAt" TIMESTAMP(3),
    "dueAt" TIMESTAMP(3),
    "status" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "text" TEXT,
    "submittedAt" TIMESTAMP(3),
    "submittedById" INTEGER,
    "submittedByName" TEXT,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "amendedAt" TIMESTAMP(3),
    "inboundEventId" INTEGER,

    CONSTRAINT "EmergencyReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DutyTimer" (
    "id" SERIAL NOT NULL,
    "subject" TEXT NOT NULL,
    "subjectId" INTEGER NOT NULL,
    "stage" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "deadlineAt" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "firedAt" TIMESTAMP(3),
    "late" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DutyTimer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "InspectionJob_key_key" ON "InspectionJob"("key");

-- CreateIndex
CREATE INDEX "InspectionJob_status_dueAt_idx" ON "InspectionJob"("status", "dueAt");

-- CreateIndex
CREATE INDEX "InspectionJob_customerId_dueAt_idx" ON "InspectionJob"("customerId", "dueAt");

-- CreateIndex
CREATE INDEX "InspectionJob_assigneeId_status_idx" ON "InspectionJob"("assigneeId", "status");

-- CreateIndex
CREATE INDEX "InspectionJob_doneAt_idx" ON "InspectionJob"("doneAt");

-- CreateIndex
CREATE UNIQUE INDEX "InspectionRecord_jobId_key" ON "InspectionRecord"("jobId");

-- CreateIndex
CREATE UNIQUE INDEX "InspectionFinding_ticketId_key" ON "InspectionFinding"("ticketId");

-- CreateIndex
CREATE UNIQUE INDEX "InspectionFinding_recordId_seq_key" ON "InspectionFinding"("recordId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "FollowUpVisit_key_key" ON "FollowUpVisit"("key");

-- CreateIndex
CREATE INDEX "FollowUpVisit_status_dueAt_idx" ON "FollowUpVisit"("status", "dueAt");

-- CreateIndex
CREATE INDEX "FollowUpVisit_customerId_dueAt_idx" ON "FollowUpVisit"("customerId", "dueAt");

-- CreateIndex
CREATE INDEX "FollowUpVisit_assigneeId_status_idx" ON "FollowUpVisit"("assigneeId", "status");

-- CreateIndex
CREATE INDEX "FollowUpVisit_doneAt_idx" ON "FollowUpVisit"("doneAt");

-- CreateIndex
CREATE INDEX "Notice_postedAt_idx" ON "Notice"("postedAt");

-- CreateIndex
CREATE INDEX "Notice_kind_postedAt_idx" ON "Notice"("kind", "postedAt");

-- CreateIndex
CREATE UNIQUE INDEX "NoticeDelivery_noticeId_chatId_key" ON "NoticeDelivery"("noticeId", "chatId");

-- CreateIndex
CREATE UNIQUE INDEX "MaintenanceWindow_noticeId_key" ON "MaintenanceWindow"("noticeId");

-- CreateIndex
CREATE INDEX "MaintenanceWindow_end_start_idx" ON "MaintenanceWindow"("end", "start");

-- CreateIndex
CREATE INDEX "MaintenanceWindow_customerId_end_idx" ON "MaintenanceWindow"("customerId", "end");

-- CreateIndex
CREATE INDEX "MaintenanceReport_windowId_at_idx" ON "MaintenanceReport"("windowId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "MaintenanceReport_windowId_ticketId_key" ON "MaintenanceReport"("windowId", "ticketId");

-- CreateIndex
CREATE INDEX "RepairFlow_status_idx" ON "RepairFlow"("status");

-- CreateIndex
CREATE INDEX "RepairFlow_returnedAt_idx" ON "RepairFlow"("returnedAt");

-- CreateIndex
CREATE UNIQUE INDEX "RepairFlow_ticketId_seq_key" ON "RepairFlow"("ticketId", "seq");

-- CreateIndex
CREATE INDEX "RepairStep_flowId_at_idx" ON "RepairStep"("flowId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "EmergencyReport_key_key" ON "EmergencyReport"("key");

-- CreateIndex
CREATE INDEX "EmergencyReport_status_dueAt_idx" ON "EmergencyReport"("status", "dueAt");

-- CreateIndex
CREATE INDEX "EmergencyReport_ticketId_idx" ON "EmergencyReport"("ticketId");

-- CreateIndex
CREATE INDEX "EmergencyReport_submittedAt_idx" ON "EmergencyReport"("submittedAt");

-- CreateIndex
CREATE INDEX "DutyTimer_state_dueAt_idx" ON "DutyTimer"("state", "dueAt");

-- CreateIndex
CREATE INDEX "DutyTimer_subject_subjectId_state_idx" ON "DutyTimer"("subject", "subjectId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "DutyTimer_subject_subjectId_stage_dueAt_key" ON "DutyTimer"("subject", "subjectId", "stage", "dueAt");

-- AddForeignKey
ALTER TABLE "InspectionJob" ADD CONSTRAINT "InspectionJob_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionRecord" ADD CONSTRAINT "InspectionRecord_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "InspectionJob"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionFinding" ADD CONSTRAINT "InspectionFinding_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "InspectionRecord"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InspectionFinding" ADD CONSTRAINT "InspectionFinding_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FollowUpVisit" ADD CONSTRAINT "FollowUpVisit_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FollowUpVisit" ADD CONSTRAINT "FollowUpVisit_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notice" ADD CONSTRAINT "Notice_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NoticeDelivery" ADD CONSTRAINT "NoticeDelivery_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MaintenanceWindow" ADD CONSTRAINT "MaintenanceWindow_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MaintenanceWindow" ADD CONSTRAINT "MaintenanceWindow_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MaintenanceReport" ADD CONSTRAINT "MaintenanceReport_windowId_fkey" FOREIGN KEY ("windowId") REFERENCES "MaintenanceWindow"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MaintenanceReport" ADD CONSTRAINT "MaintenanceReport_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepairFlow" ADD CONSTRAINT "RepairFlow_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RepairStep" ADD CONSTRAINT "RepairStep_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "RepairFlow"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EmergencyReport" ADD CONSTRAINT "EmergencyReport_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
