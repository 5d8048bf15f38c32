ALTER TABLE "alert_events" ADD COLUMN "email_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_events" ADD COLUMN "next_attempt_at" timestamp with time zone;