ALTER TABLE "sync_jobs" ADD COLUMN "lost_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_jobs" ADD COLUMN "max_attempts" integer DEFAULT 5 NOT NULL;