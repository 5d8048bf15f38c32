CREATE TABLE "group_exclusion_members" (
	"group_exclusion_id" uuid NOT NULL,
	"series_id" uuid NOT NULL,
	"email_normalized" text NOT NULL,
	"email" text NOT NULL,
	CONSTRAINT "group_exclusion_members_group_exclusion_id_email_normalized_pk" PRIMARY KEY("group_exclusion_id","email_normalized")
);
--> statement-breakpoint
CREATE TABLE "series_group_exclusions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"series_id" uuid NOT NULL,
	"directory_group_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"label" text NOT NULL,
	"reason" text,
	"excluded_by" text NOT NULL,
	"excluded_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"refreshed_at" timestamp with time zone,
	"member_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "group_exclusion_members" ADD CONSTRAINT "group_exclusion_members_group_exclusion_id_series_group_exclusions_id_fk" FOREIGN KEY ("group_exclusion_id") REFERENCES "public"."series_group_exclusions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series_group_exclusions" ADD CONSTRAINT "series_group_exclusions_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series_group_exclusions" ADD CONSTRAINT "series_group_exclusions_directory_group_id_directory_groups_id_fk" FOREIGN KEY ("directory_group_id") REFERENCES "public"."directory_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series_group_exclusions" ADD CONSTRAINT "series_group_exclusions_source_id_audience_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."audience_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series_group_exclusions" ADD CONSTRAINT "series_group_exclusions_excluded_by_user_id_users_id_fk" FOREIGN KEY ("excluded_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_exclusion_members_series_idx" ON "group_exclusion_members" USING btree ("series_id","email_normalized");--> statement-breakpoint
CREATE UNIQUE INDEX "series_group_exclusions_group_key" ON "series_group_exclusions" USING btree ("series_id","directory_group_id");
--> statement-breakpoint
-- The exclusion guard (migration 0014_exclusion_guard) also skips members of a group the series excludes
-- (group_exclusion_members, docs/adr/0014-exclusions-change-log-thresholds.md): a second index probe per inserted recipient.
CREATE OR REPLACE FUNCTION roster_skip_excluded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM series_exclusions x WHERE x.series_id = NEW.series_id AND x.email_normalized = NEW.email_normalized)
     OR EXISTS (SELECT 1 FROM group_exclusion_members g WHERE g.series_id = NEW.series_id AND g.email_normalized = NEW.email_normalized) THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;
