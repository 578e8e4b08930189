-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('firing', 'resolved');

-- CreateEnum
CREATE TYPE "AlertSource" AS ENUM ('webhook', 'prometheus');

-- CreateTable
CREATE TABLE "Alert" (
    "fingerprint" TEXT NOT NULL,
    "alertname" TEXT NOT NULL,
    "status" "AlertStatus" NOT NULL,
    "severity" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "annotations" JSONB NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3),
    "lastReceivedAt" TIMESTAMPTZ(3) NOT NULL,
    "source" "AlertSource" NOT NULL,
    "generatorUrl" TEXT,
    "environment" TEXT,
    "region" TEXT,
    "resourceKind" TEXT,
    "resourceNamespace" TEXT,
    "resourceCluster" TEXT,
    "resourceName" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("fingerprint")
);

-- CreateTable
CREATE TABLE "AlertTransition" (
    "id" BIGSERIAL NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "from" "AlertStatus",
    "to" "AlertStatus" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "source" "AlertSource" NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AlertTransition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertSilence" (
    "id" TEXT NOT NULL,
    "matchers" JSONB NOT NULL,
    "environment" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "alertFingerprint" TEXT,
    "comment" TEXT NOT NULL,
    "createdById" UUID NOT NULL,
    "createdByEmail" TEXT NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "expiredAt" TIMESTAMPTZ(3),
    "expiredByEmail" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertSilence_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Alert_status_severity_idx" ON "Alert"("status", "severity");

-- CreateIndex
CREATE INDEX "Alert_environment_resourceKind_resourceName_idx" ON "Alert"("environment", "resourceKind", "resourceName");

-- CreateIndex
CREATE INDEX "Alert_status_endsAt_idx" ON "Alert"("status", "endsAt");

-- CreateIndex
CREATE INDEX "AlertTransition_fingerprint_id_idx" ON "AlertTransition"("fingerprint", "id");

-- CreateIndex
CREATE INDEX "AlertSilence_alertFingerprint_idx" ON "AlertSilence"("alertFingerprint");

-- CreateIndex
CREATE INDEX "AlertSilence_endsAt_idx" ON "AlertSilence"("endsAt");

-- AddForeignKey
ALTER TABLE "AlertTransition" ADD CONSTRAINT "AlertTransition_fingerprint_fkey" FOREIGN KEY ("fingerprint") REFERENCES "Alert"("fingerprint") ON DELETE CASCADE ON UPDATE CASCADE;
