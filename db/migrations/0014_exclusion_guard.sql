-- Exclusions hold for every writer of recipients (db/schema.ts, series_exclusions): an insert of an excluded
-- address is skipped, row by row, before it is written, so no writer (manual, CSV, a directory sync in any of its
-- apply paths) can bring an excluded address into an audience, and each writer's RETURNING counts stay exact.
-- One index probe per inserted recipient; rows already in the audience are never inserted again, so a weekly
-- re-sync of an unchanged group pays nothing.
CREATE FUNCTION roster_skip_excluded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM series_exclusions x WHERE x.series_id = NEW.series_id AND x.email_normalized = NEW.email_normalized) THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER recipients_skip_excluded BEFORE INSERT ON recipients
  FOR EACH ROW EXECUTE FUNCTION roster_skip_excluded();
