-- AlterTable
ALTER TABLE "Person" ADD COLUMN "anonymisedAt" DATETIME;

-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN "anonymisedAt" DATETIME;

-- CreateTable
CREATE TABLE "DashboardSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "user" TEXT NOT NULL,
    "credential" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PrivacyAudit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "subject" TEXT,
    "counts" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "DashboardSession_user_idx" ON "DashboardSession"("user");

-- CreateIndex
CREATE INDEX "DashboardSession_expiresAt_idx" ON "DashboardSession"("expiresAt");

-- CreateIndex
CREATE INDEX "PrivacyAudit_at_idx" ON "PrivacyAudit"("at");
