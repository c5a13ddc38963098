-- CreateTable
CREATE TABLE "WecomKfCursor" (
    "openKfId" TEXT NOT NULL PRIMARY KEY,
    "cursor" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WecomKfInbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "msgid" TEXT NOT NULL,
    "openKfId" TEXT NOT NULL,
    "externalUserId" TEXT,
    "origin" INTEGER NOT NULL,
    "msgtype" TEXT NOT NULL,
    "sendTime" DATETIME NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" DATETIME
);

-- CreateTable
CREATE TABLE "WecomKfWindow" (
    "openKfId" TEXT NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "lastCustomerMessageAt" DATETIME NOT NULL,
    "sentSince" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("openKfId", "externalUserId")
);

-- CreateTable
CREATE TABLE "WecomKfSend" (
    "msgid" TEXT NOT NULL PRIMARY KEY,
    "openKfId" TEXT NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "reservedAt" DATETIME NOT NULL,
    "sentAt" DATETIME
);

-- CreateTable
CREATE TABLE "WecomAccessToken" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "token" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "refreshingUntil" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "WecomKfInbox_msgid_key" ON "WecomKfInbox"("msgid");

-- CreateIndex
CREATE INDEX "WecomKfInbox_status_id_idx" ON "WecomKfInbox"("status", "id");
