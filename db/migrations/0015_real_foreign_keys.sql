-- Real foreign keys instead of the statement-level trigger keys of 0001 (docs/adr/0010-real-foreign-keys.md).
DROP TRIGGER IF EXISTS "recipient_sources_key" ON "recipient_sources";--> statement-breakpoint
DROP TRIGGER IF EXISTS "recipients_key" ON "recipients";--> statement-breakpoint
DROP TRIGGER IF EXISTS "sync_staging_key" ON "sync_staging";--> statement-breakpoint
DROP TRIGGER IF EXISTS "audience_sources_cascade" ON "audience_sources";--> statement-breakpoint
DROP TRIGGER IF EXISTS "series_cascade" ON "series";--> statement-breakpoint
DROP TRIGGER IF EXISTS "sync_jobs_cascade" ON "sync_jobs";--> statement-breakpoint
DROP TRIGGER IF EXISTS "recipient_sources_key_fixed" ON "recipient_sources";--> statement-breakpoint
DROP TRIGGER IF EXISTS "recipients_key_fixed" ON "recipients";--> statement-breakpoint
DROP TRIGGER IF EXISTS "sync_staging_key_fixed" ON "sync_staging";--> statement-breakpoint
DROP TRIGGER IF EXISTS "audience_sources_id_fixed" ON "audience_sources";--> statement-breakpoint
DROP TRIGGER IF EXISTS "series_id_fixed" ON "series";--> statement-breakpoint
DROP TRIGGER IF EXISTS "sync_jobs_id_fixed" ON "sync_jobs";--> statement-breakpoint
DROP FUNCTION IF EXISTS roster_key_check();--> statement-breakpoint
DROP FUNCTION IF EXISTS roster_key_cascade();--> statement-breakpoint
DROP FUNCTION IF EXISTS roster_key_is_fixed();--> statement-breakpoint
-- recipient_sources.series_id had no key at all: a holding whose series is gone (none is expected) goes first.
DELETE FROM "recipient_sources" rs WHERE NOT EXISTS (SELECT 1 FROM "series" s WHERE s.id = rs.series_id);--> statement-breakpoint
ALTER TABLE "recipient_sources" ADD CONSTRAINT "recipient_sources_source_id_audience_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."audience_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recipient_sources" ADD CONSTRAINT "recipient_sources_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recipients" ADD CONSTRAINT "recipients_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_staging" ADD CONSTRAINT "sync_staging_job_id_sync_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."sync_jobs"("id") ON DELETE cascade ON UPDATE no action;