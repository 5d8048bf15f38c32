CREATE TABLE "alert_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"event_key" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"path" text NOT NULL,
	"email_status" text DEFAULT 'pending' NOT NULL,
	"recipients" text[] DEFAULT '{}'::text[] NOT NULL,
	"claimed_at" timestamp with time zone,
	"emailed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connection_alert_settings" (
	"connection_id" uuid PRIMARY KEY NOT NULL,
	"disabled_kinds" text[] DEFAULT '{}'::text[] NOT NULL,
	"alerted_health" text,
	"health_episode" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "setup_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"purpose" text NOT NULL,
	"organization_id" uuid NOT NULL,
	"connection_id" uuid,
	"contact_name" text NOT NULL,
	"contact_email" text NOT NULL,
	"created_by" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"opened_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"result_connection_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_connection_id_directory_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."directory_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_alert_settings" ADD CONSTRAINT "connection_alert_settings_connection_id_directory_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."directory_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "setup_links" ADD CONSTRAINT "setup_links_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "setup_links" ADD CONSTRAINT "setup_links_connection_id_directory_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."directory_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "setup_links" ADD CONSTRAINT "setup_links_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "setup_links" ADD CONSTRAINT "setup_links_result_connection_id_directory_connections_id_fk" FOREIGN KEY ("result_connection_id") REFERENCES "public"."directory_connections"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_events_event_key" ON "alert_events" USING btree ("connection_id","kind","event_key");--> statement-breakpoint
CREATE INDEX "alert_events_connection_idx" ON "alert_events" USING btree ("connection_id","created_at");--> statement-breakpoint
CREATE INDEX "alert_events_pending_idx" ON "alert_events" USING btree ("email_status");--> statement-breakpoint
CREATE UNIQUE INDEX "setup_links_token_key" ON "setup_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "setup_links_org_idx" ON "setup_links" USING btree ("organization_id","created_at");