CREATE TABLE "pending_credentials" (
	"id" uuid PRIMARY KEY NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"certificate_pem" text,
	"certificate_key_sealed" text,
	"certificate_thumbprint" text,
	"certificate_expires_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "directory_connections" ALTER COLUMN "secret_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "directory_connections" ALTER COLUMN "secret_hint" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "directory_connections" ALTER COLUMN "secret_sealed" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "directory_connections" ALTER COLUMN "secret_key_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "directory_connections" ALTER COLUMN "secret_expires_on" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "pending_credentials" ADD CONSTRAINT "pending_credentials_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_connections" ADD CONSTRAINT "directory_connections_credential_material" CHECK (("directory_connections"."credential_kind" <> 'secret' OR ("directory_connections"."secret_id" IS NOT NULL AND "directory_connections"."secret_hint" IS NOT NULL AND "directory_connections"."secret_sealed" IS NOT NULL AND "directory_connections"."secret_key_id" IS NOT NULL AND "directory_connections"."secret_expires_on" IS NOT NULL))
        AND ("directory_connections"."credential_kind" <> 'certificate' OR ("directory_connections"."certificate_pem" IS NOT NULL AND "directory_connections"."certificate_key_sealed" IS NOT NULL AND "directory_connections"."certificate_thumbprint" IS NOT NULL AND "directory_connections"."certificate_expires_at" IS NOT NULL)));