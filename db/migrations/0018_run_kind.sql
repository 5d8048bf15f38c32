CREATE TYPE "public"."run_kind" AS ENUM('full', 'delta');--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "kind" "run_kind" DEFAULT 'full' NOT NULL;