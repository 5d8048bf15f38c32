-- One key per holding (docs/adr/0010-real-foreign-keys.md, "One key per holding"): recipient_sources' two keys
-- (source_id → audience_sources, series_id → series) become one on both columns, against audience_sources'
-- (id, series_id). It says more (a holding's series is its source's series) and costs one check per inserted
-- holding instead of two: about 300 ms of a 100,000-member first sync's apply (`npm run bench -- sync`).
ALTER TABLE "audience_sources" ADD CONSTRAINT "audience_sources_id_series_key" UNIQUE("id","series_id");--> statement-breakpoint
-- A holding whose series is not its source's (none is expected: every writer takes both from the source) goes first.
DELETE FROM "recipient_sources" rs WHERE NOT EXISTS (SELECT 1 FROM "audience_sources" s WHERE s.id = rs.source_id AND s.series_id = rs.series_id);--> statement-breakpoint
ALTER TABLE "recipient_sources" DROP CONSTRAINT "recipient_sources_source_id_audience_sources_id_fk";--> statement-breakpoint
ALTER TABLE "recipient_sources" DROP CONSTRAINT "recipient_sources_series_id_series_id_fk";--> statement-breakpoint
ALTER TABLE "recipient_sources" ADD CONSTRAINT "recipient_sources_source_series_fk" FOREIGN KEY ("source_id","series_id") REFERENCES "public"."audience_sources"("id","series_id") ON DELETE cascade ON UPDATE no action;
