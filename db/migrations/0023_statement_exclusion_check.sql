-- Exclusions move from a row-level guard into the writers' own statements (lib/audience/holdings.ts,
-- notExcluded; docs/adr/0014-exclusions-change-log-thresholds.md, "Exclusions in the statement"): the row trigger
-- of 0014_exclusion_guard / 0021_group_exclusions ran a plpgsql call and two index probes for every inserted
-- recipient (about 1.3 s per 100,000 added, measured by `npm run bench -- triggers`), while an anti-join in the
-- statement is planned once. What stays in the database is a net: once per statement, from its transition table,
-- any inserted recipient that an exclusion names makes the statement fail, so a writer that forgot the condition
-- loses nothing silently and admits nobody.
DROP TRIGGER recipients_skip_excluded ON recipients;
--> statement-breakpoint
DROP FUNCTION roster_skip_excluded();
--> statement-breakpoint
CREATE FUNCTION roster_refuse_excluded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows n JOIN series_exclusions x ON x.series_id = n.series_id AND x.email_normalized = n.email_normalized)
     OR EXISTS (SELECT 1 FROM new_rows n JOIN group_exclusion_members g ON g.series_id = n.series_id AND g.email_normalized = n.email_normalized) THEN
    RAISE EXCEPTION 'an excluded address cannot become a recipient of its series' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recipients_refuse_excluded AFTER INSERT ON recipients
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_refuse_excluded();
