CREATE TYPE "public"."audience_change" AS ENUM('added', 'removed');--> statement-breakpoint
CREATE TABLE "audience_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audience_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"series_id" uuid NOT NULL,
	"email_normalized" text NOT NULL,
	"email" text NOT NULL,
	"change" "audience_change" NOT NULL,
	"reason" text,
	"job_id" uuid,
	"source_id" uuid,
	"actor" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audience_changes_series_idx" ON "audience_changes" USING btree ("series_id","created_at");--> statement-breakpoint
CREATE INDEX "audience_changes_job_idx" ON "audience_changes" USING btree ("job_id") WHERE job_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "audience_changes_created_idx" ON "audience_changes" USING btree ("created_at");--> statement-breakpoint
-- The change log (db/schema.ts, audience_changes): every statement that adds or removes recipients records the
-- addresses it added or removed, once per statement from its transition table. The writer describes the change in
-- the transaction-local setting roster.audience_change (lib/audience/change-log.ts): {"added", "removed" (the
-- reasons), "jobId", "sourceId", "actor"}; without it the rows say only added or removed.
CREATE FUNCTION roster_audience_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ctx jsonb := nullif(current_setting('roster.audience_change', true), '')::jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audience_changes (series_id, email_normalized, email, change, reason, job_id, source_id, actor)
    SELECT n.series_id, n.email_normalized, n.email, 'added', ctx->>'added', (ctx->>'jobId')::uuid, (ctx->>'sourceId')::uuid, ctx->>'actor'
    FROM new_rows n;
  ELSE
    INSERT INTO audience_changes (series_id, email_normalized, email, change, reason, job_id, source_id, actor)
    SELECT o.series_id, o.email_normalized, o.email, 'removed', ctx->>'removed', (ctx->>'jobId')::uuid, (ctx->>'sourceId')::uuid, ctx->>'actor'
    FROM old_rows o;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recipients_added_log AFTER INSERT ON recipients
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_audience_change();
--> statement-breakpoint
CREATE TRIGGER recipients_removed_log AFTER DELETE ON recipients
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_audience_change();
