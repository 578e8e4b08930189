-- AlterTable
ALTER TABLE "ActionRequest" ADD COLUMN     "progress" JSONB;
