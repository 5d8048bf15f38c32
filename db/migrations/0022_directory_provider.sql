CREATE TYPE "public"."directory_provider" AS ENUM('entra');--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "provider" "directory_provider" DEFAULT 'entra' NOT NULL;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "provider_config" jsonb DEFAULT '{}'::jsonb NOT NULL;