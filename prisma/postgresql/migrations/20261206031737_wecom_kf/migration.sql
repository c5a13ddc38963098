-- CreateTable
CREATE TABLE "WecomKfCursor" (
    "openKfId" TEXT NOT NULL,
    "cursor" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WecomKfCursor_pkey" PRIMARY KEY ("openKfId")
);

-- CreateTable
CREATE TABLE "WecomKfInbox" (
    "id" SERIAL NOT NULL,
    "msgid" TEXT NOT NULL,
    "openKfId" TEXT NOT NULL,
    "externalUserId" TEXT,
    "origin" INTEGER NOT NULL,
    "msgtype" TEXT NOT NULL,
    "sendTime" TIMESTAMP(3) NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "WecomKfInbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WecomKfWindow" (
    "openKfId" TEXT NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "lastCustomerMessageAt" TIMESTAMP(3) NOT NULL,
    "sentSince" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WecomKfWindow_pkey" PRIMARY KEY ("openKfId","externalUserId")
);

-- CreateTable
CREATE TABLE "WecomKfSend" (
    "msgid" TEXT NOT NULL,
    "openKfId" TEXT NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "reservedAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "WecomKfSend_pkey" PRIMARY KEY ("msgid")
);

-- CreateTable
CREATE TABLE "WecomAccessToken" (
    "key" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "refreshingUntil" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WecomAccessToken_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "WecomKfInbox_msgid_key" ON "WecomKfInbox"("msgid");

-- CreateIndex
CREATE INDEX "WecomKfInbox_status_id_idx" ON "WecomKfInbox"("status", "id");
