CREATE TABLE "graph_tenant_budgets" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"paused_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "graph_tenant_slots" (
	"tenant_id" text NOT NULL,
	"slot" smallint NOT NULL,
	"holder" text NOT NULL,
	"lease_expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "graph_tenant_slots_tenant_id_slot_pk" PRIMARY KEY("tenant_id","slot")
);
