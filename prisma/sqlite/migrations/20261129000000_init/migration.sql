-- CreateTable
CREATE TABLE "Customer" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "contract" TEXT NOT NULL DEFAULT 'default',
    "warrantyStart" DATETIME,
    "warrantyEnd" DATETIME,
    "scope" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Chat" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "platformId" TEXT NOT NULL,
    "title" TEXT,
    "purpose" TEXT NOT NULL DEFAULT 'customer',
    "customerId" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Chat_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Person" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "platformId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'customer',
    "department" TEXT,
    "phone" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Ticket" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "number" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'fault',
    "status" TEXT NOT NULL,
    "customerId" INTEGER,
    "chatId" INTEGER NOT NULL,
    "reporterId" INTEGER NOT NULL,
    "assigneeId" INTEGER,
    "level" INTEGER,
    "levelProvisional" BOOLEAN NOT NULL DEFAULT false,
    "levelEvidence" TEXT NOT NULL DEFAULT '[]',
    "grade" TEXT,
    "site" TEXT,
    "device" TEXT,
    "symptom" TEXT,
    "contact" TEXT,
    "phone" TEXT,
    "startedText" TEXT,
    "content" TEXT NOT NULL,
    "hardware" BOOLEAN NOT NULL DEFAULT false,
    "scopeStatus" TEXT NOT NULL DEFAULT 'ok',
    "feeStatus" TEXT NOT NULL DEFAULT 'none',
    "sourceMessageId" TEXT,
    "duplicateOfId" INTEGER,
    "reportedAt" DATETIME NOT NULL,
    "levelKnownAt" DATETIME,
    "acceptedAt" DATETIME,
    "assignedAt" DATETIME,
    "acknowledgedAt" DATETIME,
    "onSiteAt" DATETIME,
    "spareRequestedAt" DATETIME,
    "detectionReportAt" DATETIME,
    "resolvedAt" DATETIME,
    "confirmedAt" DATETIME,
    "ratedAt" DATETIME,
    "closedAt" DATETIME,
    "cancelledAt" DATETIME,
    "reopenCount" INTEGER NOT NULL DEFAULT 0,
    "arrivalState" TEXT,
    "handling" TEXT,
    "analysis" TEXT,
    "resolutionNote" TEXT,
    "sparePart" TEXT,
    "spareNew" BOOLEAN,
    "mediumRetained" BOOLEAN,
    "detectionReport" TEXT,
    "repairCost" TEXT,
    "confirmation" TEXT,
    "feedback" TEXT,
    "satisfaction" INTEGER,
    "summary" TEXT,
    "contractHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Ticket_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Ticket_chatId_fkey" FOREIGN KEY ("chatId") REFERENCES "Chat" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_reporterId_fkey" FOREIGN KEY ("reporterId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TicketEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "actorId" INTEGER,
    "action" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "inboundEventId" INTEGER,
    CONSTRAINT "TicketEvent_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "messageId" TEXT,
    "chatPlatformId" TEXT NOT NULL,
    "senderPlatformId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "text" TEXT,
    "textKey" TEXT,
    "receivedAt" DATETIME NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'processed',
    "error" TEXT,
    "raw" TEXT
);

-- CreateTable
CREATE TABLE "Outbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "chatPlatformId" TEXT NOT NULL,
    "ticketId" INTEGER,
    "action" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "claimedUntil" DATETIME,
    "lastError" TEXT,
    "platformMessageId" TEXT,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME
);

-- CreateTable
CREATE TABLE "Timer" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "clock" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "deadlineAt" DATETIME NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "firedAt" DATETIME,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "Timer_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Rating" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "raterId" INTEGER NOT NULL,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "at" DATETIME NOT NULL,
    CONSTRAINT "Rating_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Complaint" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "receiver" TEXT NOT NULL,
    "complainant" TEXT NOT NULL,
    "contact" TEXT,
    "content" TEXT NOT NULL,
    "demand" TEXT,
    "relatedTicketId" INTEGER,
    "wantsOtherEngineer" BOOLEAN NOT NULL DEFAULT false,
    "investigation" TEXT,
    "firstOpinion" TEXT,
    "correction" TEXT,
    "customerOpinion" TEXT,
    "satisfaction" INTEGER,
    "answeredAt" DATETIME,
    "archivedAt" DATETIME,
    CONSTRAINT "Complaint_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NonConformance" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "engineerId" INTEGER,
    "reason" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    CONSTRAINT "NonConformance_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PendingQuestion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "chatId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "ticketId" INTEGER,
    "kind" TEXT NOT NULL,
    "data" TEXT NOT NULL DEFAULT '{}',
    "askedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'open',
    "outboxId" INTEGER
);

-- CreateTable
CREATE TABLE "Attachment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "path" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "Attachment_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DigestRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "chatId" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "periodKey" TEXT NOT NULL,
    "postedAt" DATETIME NOT NULL,
    "late" BOOLEAN NOT NULL DEFAULT false
);

-- CreateTable
CREATE TABLE "Counter" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SandboxMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "chat" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "senderId" TEXT NOT NULL,
    "senderName" TEXT NOT NULL,
    "senderRole" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "buttons" TEXT NOT NULL DEFAULT '[]',
    "mentions" TEXT NOT NULL DEFAULT '[]',
    "replyTo" TEXT,
    "imageBase64" TEXT,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Customer_name_key" ON "Customer"("name");

-- CreateIndex
CREATE INDEX "Chat_purpose_active_idx" ON "Chat"("purpose", "active");

-- CreateIndex
CREATE UNIQUE INDEX "Chat_channel_platformId_key" ON "Chat"("channel", "platformId");

-- CreateIndex
CREATE INDEX "Person_role_idx" ON "Person"("role");

-- CreateIndex
CREATE UNIQUE INDEX "Person_channel_platformId_key" ON "Person"("channel", "platformId");

-- CreateIndex
CREATE UNIQUE INDEX "Ticket_number_key" ON "Ticket"("number");

-- CreateIndex
CREATE INDEX "Ticket_status_idx" ON "Ticket"("status");

-- CreateIndex
CREATE INDEX "Ticket_chatId_status_idx" ON "Ticket"("chatId", "status");

-- CreateIndex
CREATE INDEX "Ticket_assigneeId_status_idx" ON "Ticket"("assigneeId", "status");

-- CreateIndex
CREATE INDEX "Ticket_reportedAt_idx" ON "Ticket"("reportedAt");

-- CreateIndex
CREATE INDEX "Ticket_customerId_reportedAt_idx" ON "Ticket"("customerId", "reportedAt");

-- CreateIndex
CREATE INDEX "Ticket_site_device_status_idx" ON "Ticket"("site", "device", "status");

-- CreateIndex
CREATE INDEX "TicketEvent_ticketId_at_idx" ON "TicketEvent"("ticketId", "at");

-- CreateIndex
CREATE INDEX "TicketEvent_action_at_idx" ON "TicketEvent"("action", "at");

-- CreateIndex
CREATE INDEX "InboundEvent_channel_textKey_receivedAt_idx" ON "InboundEvent"("channel", "textKey", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_channel_eventId_key" ON "InboundEvent"("channel", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_channel_messageId_key" ON "InboundEvent"("channel", "messageId");

-- CreateIndex
CREATE UNIQUE INDEX "Outbox_idempotencyKey_key" ON "Outbox"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Outbox_status_nextAttemptAt_idx" ON "Outbox"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Outbox_channel_chatPlatformId_status_id_idx" ON "Outbox"("channel", "chatPlatformId", "status", "id");

-- CreateIndex
CREATE INDEX "Outbox_platformMessageId_idx" ON "Outbox"("platformMessageId");

-- CreateIndex
CREATE INDEX "Timer_state_dueAt_idx" ON "Timer"("state", "dueAt");

-- CreateIndex
CREATE INDEX "Timer_ticketId_state_idx" ON "Timer"("ticketId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "Timer_ticketId_clock_stage_dueAt_key" ON "Timer"("ticketId", "clock", "stage", "dueAt");

-- CreateIndex
CREATE INDEX "Rating_ticketId_idx" ON "Rating"("ticketId");

-- CreateIndex
CREATE INDEX "Rating_at_idx" ON "Rating"("at");

-- CreateIndex
CREATE UNIQUE INDEX "Complaint_ticketId_key" ON "Complaint"("ticketId");

-- CreateIndex
CREATE INDEX "NonConformance_engineerId_idx" ON "NonConformance"("engineerId");

-- CreateIndex
CREATE INDEX "PendingQuestion_chatId_personId_state_idx" ON "PendingQuestion"("chatId", "personId", "state");

-- CreateIndex
CREATE INDEX "PendingQuestion_ticketId_state_idx" ON "PendingQuestion"("ticketId", "state");

-- CreateIndex
CREATE INDEX "Attachment_state_idx" ON "Attachment"("state");

-- CreateIndex
CREATE UNIQUE INDEX "Attachment_channel_messageId_key_key" ON "Attachment"("channel", "messageId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "DigestRun_chatId_period_periodKey_key" ON "DigestRun"("chatId", "period", "periodKey");

-- CreateIndex
CREATE UNIQUE INDEX "SandboxMessage_messageId_key" ON "SandboxMessage"("messageId");

-- CreateIndex
CREATE INDEX "SandboxMessage_chat_id_idx" ON "SandboxMessage"("chat", "id");
