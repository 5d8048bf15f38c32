CREATE TYPE "public"."credential_kind" AS ENUM('secret', 'certificate', 'federated');--> statement-breakpoint
CREATE TABLE "roster_signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"private_key_sealed" text NOT NULL,
	"sealing_key_id" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"signs_from" timestamp with time zone NOT NULL,
	"retire_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "credential_kind" "credential_kind" DEFAULT 'secret' NOT NULL;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "certificate_pem" text;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "certificate_key_sealed" text;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "certificate_thumbprint" text;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "certificate_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "next_certificate_pem" text;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "next_certificate_key_sealed" text;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "next_certificate_thumbprint" text;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "next_certificate_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD COLUMN "secret_retired_at" timestamp with time zone;