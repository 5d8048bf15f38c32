CREATE TYPE "public"."sync_cadence" AS ENUM('weekly', 'daily');--> statement-breakpoint
CREATE TYPE "public"."cloud" AS ENUM('global', 'usgov');--> statement-breakpoint
CREATE TYPE "public"."connection_health" AS ENUM('unknown', 'healthy', 'degraded', 'failing');--> statement-breakpoint
CREATE TYPE "public"."connection_status" AS ENUM('draft', 'active');--> statement-breakpoint
CREATE TYPE "public"."group_kind" AS ENUM('security', 'microsoft365', 'distribution', 'mail_security', 'dynamic');--> statement-breakpoint
CREATE TYPE "public"."job_mode" AS ENUM('sync', 'preview');--> statement-breakpoint
CREATE TYPE "public"."job_status" AS ENUM('queued', 'running', 'needs_review', 'done', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('admin', 'editor');--> statement-breakpoint
CREATE TYPE "public"."run_outcome" AS ENUM('running', 'synced', 'needs_review', 'failed', 'interrupted', 'previewed');--> statement-breakpoint
CREATE TYPE "public"."source_kind" AS ENUM('manual', 'csv', 'directory_group', 'directory_all');--> statement-breakpoint
CREATE TYPE "public"."sync_state" AS ENUM('not_synced', 'queued', 'syncing', 'synced', 'needs_review', 'error');--> statement-breakpoint
CREATE TABLE "audience_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"series_id" uuid NOT NULL,
	"kind" "source_kind" NOT NULL,
	"label" text NOT NULL,
	"connection_id" uuid,
	"directory_group_id" uuid,
	"selected" boolean DEFAULT true NOT NULL,
	"state" "sync_state" DEFAULT 'not_synced' NOT NULL,
	"member_count" integer DEFAULT 0 NOT NULL,
	"skipped" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_synced_at" timestamp with time zone,
	"last_good_sync_at" timestamp with time zone,
	"last_error" jsonb,
	"review" jsonb,
	"details" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"organization_id" uuid,
	"actor_user_id" uuid,
	"actor_label" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connection_organizations" (
	"connection_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	CONSTRAINT "connection_organizations_connection_id_organization_id_pk" PRIMARY KEY("connection_id","organization_id")
);
--> statement-breakpoint
CREATE TABLE "directory_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"tenant_id" text NOT NULL,
	"client_id" text NOT NULL,
	"cloud" "cloud" DEFAULT 'global' NOT NULL,
	"secret_id" text NOT NULL,
	"secret_hint" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"secret_key_id" text NOT NULL,
	"secret_expires_on" date NOT NULL,
	"group_object_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"use_username_fallback" boolean DEFAULT false NOT NULL,
	"sync_contacts" boolean DEFAULT false NOT NULL,
	"owner_name" text NOT NULL,
	"owner_email" text NOT NULL,
	"status" "connection_status" DEFAULT 'draft' NOT NULL,
	"health" "connection_health" DEFAULT 'unknown' NOT NULL,
	"cadence" "sync_cadence" DEFAULT 'weekly' NOT NULL,
	"granted_roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"last_verification" jsonb,
	"last_verified_at" timestamp with time zone,
	"last_error" jsonb,
	"groups_refreshed_at" timestamp with time zone,
	"last_scheduled_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"object_id" text NOT NULL,
	"display_name" text NOT NULL,
	"description" text,
	"mail" text,
	"visibility" text,
	"kind" "group_kind" NOT NULL,
	"deleted_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"user_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"role" "role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_user_id_organization_id_pk" PRIMARY KEY("user_id","organization_id")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "recipient_sources" (
	"source_id" uuid NOT NULL,
	"series_id" uuid NOT NULL,
	"email_normalized" text NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"object_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recipient_sources_source_id_email_normalized_pk" PRIMARY KEY("source_id","email_normalized")
);
--> statement-breakpoint
CREATE TABLE "recipients" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "recipients_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"series_id" uuid NOT NULL,
	"email_normalized" text NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "series" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sign_in_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"window_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sync_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source_id" uuid NOT NULL,
	"series_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"mode" "job_mode" DEFAULT 'sync' NOT NULL,
	"status" "job_status" DEFAULT 'queued' NOT NULL,
	"reason" text NOT NULL,
	"requested_by" uuid,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"cursor" text,
	"enumeration_done" boolean DEFAULT false NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"members_seen" integer DEFAULT 0 NOT NULL,
	"skipped_disabled" integer DEFAULT 0 NOT NULL,
	"skipped_no_address" integer DEFAULT 0 NOT NULL,
	"skipped_duplicate" integer DEFAULT 0 NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"throttle_wait_ms" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"error" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" uuid,
	"source_id" uuid NOT NULL,
	"series_id" uuid NOT NULL,
	"outcome" "run_outcome" DEFAULT 'running' NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"pages" integer DEFAULT 0 NOT NULL,
	"members_seen" integer DEFAULT 0 NOT NULL,
	"added" integer DEFAULT 0 NOT NULL,
	"removed" integer DEFAULT 0 NOT NULL,
	"skipped" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"throttle_wait_ms" integer DEFAULT 0 NOT NULL,
	"error" jsonb
);
--> statement-breakpoint
CREATE TABLE "sync_staging" (
	"job_id" uuid NOT NULL,
	"email_normalized" text NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"object_id" text,
	CONSTRAINT "sync_staging_job_id_email_normalized_pk" PRIMARY KEY("job_id","email_normalized")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"email_normalized" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_sign_in_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "audience_sources" ADD CONSTRAINT "audience_sources_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audience_sources" ADD CONSTRAINT "audience_sources_connection_id_directory_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."directory_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audience_sources" ADD CONSTRAINT "audience_sources_directory_group_id_directory_groups_id_fk" FOREIGN KEY ("directory_group_id") REFERENCES "public"."directory_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audience_sources" ADD CONSTRAINT "audience_sources_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_organizations" ADD CONSTRAINT "connection_organizations_connection_id_directory_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."directory_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_organizations" ADD CONSTRAINT "connection_organizations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD CONSTRAINT "directory_connections_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_groups" ADD CONSTRAINT "directory_groups_connection_id_directory_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."directory_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recipient_sources" ADD CONSTRAINT "recipient_sources_source_id_audience_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."audience_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recipients" ADD CONSTRAINT "recipients_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_jobs" ADD CONSTRAINT "sync_jobs_source_id_audience_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."audience_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_jobs" ADD CONSTRAINT "sync_jobs_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_jobs" ADD CONSTRAINT "sync_jobs_connection_id_directory_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."directory_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_jobs" ADD CONSTRAINT "sync_jobs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_job_id_sync_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."sync_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_source_id_audience_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."audience_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_staging" ADD CONSTRAINT "sync_staging_job_id_sync_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."sync_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audience_sources_series_idx" ON "audience_sources" USING btree ("series_id");--> statement-breakpoint
CREATE UNIQUE INDEX "audience_sources_manual_key" ON "audience_sources" USING btree ("series_id") WHERE kind = 'manual';--> statement-breakpoint
CREATE UNIQUE INDEX "audience_sources_group_key" ON "audience_sources" USING btree ("series_id","directory_group_id") WHERE kind = 'directory_group';--> statement-breakpoint
CREATE UNIQUE INDEX "audience_sources_all_key" ON "audience_sources" USING btree ("series_id","connection_id") WHERE kind = 'directory_all';--> statement-breakpoint
CREATE INDEX "audit_events_org_idx" ON "audit_events" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_events_target_idx" ON "audit_events" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "connection_orgs_org_idx" ON "connection_organizations" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "directory_connections_tenant_idx" ON "directory_connections" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "directory_groups_connection_object_key" ON "directory_groups" USING btree ("connection_id","object_id");--> statement-breakpoint
CREATE INDEX "directory_groups_connection_name_idx" ON "directory_groups" USING btree ("connection_id","display_name");--> statement-breakpoint
CREATE INDEX "memberships_org_idx" ON "memberships" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "recipient_sources_series_email_idx" ON "recipient_sources" USING btree ("series_id","email_normalized");--> statement-breakpoint
CREATE UNIQUE INDEX "recipients_series_email_key" ON "recipients" USING btree ("series_id","email_normalized");--> statement-breakpoint
CREATE UNIQUE INDEX "series_org_name_key" ON "series" USING btree ("organization_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_jobs_one_active_key" ON "sync_jobs" USING btree ("source_id","mode") WHERE status in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "sync_jobs_claim_idx" ON "sync_jobs" USING btree ("status","run_after");--> statement-breakpoint
CREATE INDEX "sync_runs_source_idx" ON "sync_runs" USING btree ("source_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_normalized_key" ON "users" USING btree ("email_normalized");