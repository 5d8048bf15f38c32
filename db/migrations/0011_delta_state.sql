CREATE TABLE "directory_delta_states" (
	"connection_id" uuid PRIMARY KEY NOT NULL,
	"cursor" jsonb NOT NULL,
	"graph" "bytea" NOT NULL,
	"graph_bytes" integer NOT NULL,
	"last_delta_at" timestamp with time zone,
	"last_full_at" timestamp with time zone NOT NULL,
	"last_full_drift" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "directory_delta_states" ADD CONSTRAINT "directory_delta_states_connection_id_directory_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."directory_connections"("id") ON DELETE cascade ON UPDATE no action;