-- CreateTable
CREATE TABLE "InspectionJob" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "plan" TEXT NOT NULL,
    "periodKey" TEXT NOT NULL,
    "dueDate" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "systems" TEXT NOT NULL DEFAULT '[]',
    "checklist" TEXT NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'planned',
    "assigneeId" INTEGER,
    "assigneeName" TEXT,
    "assignedBy" TEXT,
    "assignedAt" DATETIME,
    "announcedAt" DATETIME,
    "doneAt" DATETIME,
    "cancelledAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "InspectionJob_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InspectionRecord" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "jobId" INTEGER NOT NULL,
    "inspectorId" INTEGER,
    "inspectorName" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "checklist" TEXT NOT NULL,
    "note" TEXT,
    "summary" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "inboundEventId" INTEGER,
    CONSTRAINT "InspectionRecord_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "InspectionJob" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InspectionFinding" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "recordId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "device" TEXT,
    "checklistItem" TEXT,
    "ticketId" INTEGER,
    CONSTRAINT "InspectionFinding_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "InspectionRecord" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "InspectionFinding_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FollowUpVisit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "customerId" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "ticketId" INTEGER,
    "periodKey" TEXT,
    "dueAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'planned',
    "owner" TEXT NOT NULL DEFAULT '{}',
    "assigneeId" INTEGER,
    "assigneeName" TEXT,
    "assignedAt" DATETIME,
    "doneAt" DATETIME,
    "visitorId" INTEGER,
    "visitorName" TEXT,
    "notes" TEXT,
    "ticketIds" TEXT NOT NULL DEFAULT '[]',
    "cancelledAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "inboundEventId" INTEGER,
    CONSTRAINT "FollowUpVisit_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "FollowUpVisit_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Notice" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "customerId" INTEGER,
    "text" TEXT NOT NULL,
    "authorId" INTEGER,
    "authorName" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "postedAt" DATETIME NOT NULL,
    "cancelledAt" DATETIME,
    "inboundEventId" INTEGER,
    CONSTRAINT "Notice_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NoticeDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "noticeId" INTEGER NOT NULL,
    "chatId" INTEGER NOT NULL,
    "postedAt" DATETIME,
    "outboxId" INTEGER,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "NoticeDelivery_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MaintenanceWindow" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "noticeId" INTEGER,
    "customerId" INTEGER,
    "start" DATETIME NOT NULL,
    "end" DATETIME NOT NULL,
    "systems" TEXT NOT NULL DEFAULT '[]',
    "allSystems" BOOLEAN NOT NULL DEFAULT false,
    "stations" TEXT NOT NULL DEFAULT '[]',
    "cancelledAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "MaintenanceWindow_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "MaintenanceWindow_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MaintenanceReport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "windowId" INTEGER NOT NULL,
    "ticketId" INTEGER,
    "chatId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "inboundEventId" INTEGER,
    CONSTRAINT "MaintenanceReport_windowId_fkey" FOREIGN KEY ("windowId") REFERENCES "MaintenanceWindow" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "MaintenanceReport_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RepairFlow" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "part" TEXT,
    "receivedAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    "quotedAt" DATETIME,
    "repairedAt" DATETIME,
    "returnedAt" DATETIME,
    "costCents" INTEGER,
    "periodDays" INTEGER,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "RepairFlow_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RepairStep" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "flowId" INTEGER NOT NULL,
    "step" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "actorId" INTEGER,
    "actorName" TEXT NOT NULL,
    "note" TEXT,
    "costCents" INTEGER,
    "periodDays" INTEGER,
    "correction" BOOLEAN NOT NULL DEFAULT false,
    "inboundEventId" INTEGER,
    CONSTRAINT "RepairStep_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "RepairFlow" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EmergencyReport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "clock" TEXT,
    "breachAt" DATETIME,
    "dueAt" DATETIME,
    "status" TEXT NOT NULL,
    "requestedAt" DATETIME NOT NULL,
    "text" TEXT,
    "submittedAt" DATETIME,
    "submittedById" INTEGER,
    "submittedByName" TEXT,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "amendedAt" DATETIME,
    "inboundEventId" INTEGER,
    CONSTRAINT "EmergencyReport_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DutyTimer" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "subject" TEXT NOT NULL,
    "subjectId" INTEGER NOT NULL,
    "stage" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "deadlineAt" DATETIME NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "firedAt" DATETIME,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL
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
