ALTER TABLE "recipient_sources" DROP CONSTRAINT "recipient_sources_source_id_audience_sources_id_fk";
--> statement-breakpoint
ALTER TABLE "recipients" DROP CONSTRAINT "recipients_series_id_series_id_fk";
--> statement-breakpoint
ALTER TABLE "sync_staging" DROP CONSTRAINT "sync_staging_job_id_sync_jobs_id_fk";
--> statement-breakpoint
-- Statement-level keys (see the top of db/schema.ts): the foreign keys above, checked once per statement.
--
-- Child side, after each INSERT: every parent named by the new rows must exist, and is locked FOR KEY SHARE
-- as a foreign key's check locks it. A concurrent DELETE of that parent then waits for this transaction and
-- cascades to these rows once they are committed; a parent deleted first makes this insert fail.
CREATE FUNCTION roster_key_recipient_sources() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing uuid;
BEGIN
  SELECT n.source_id INTO missing
  FROM (SELECT DISTINCT source_id FROM new_rows) n
  LEFT JOIN LATERAL (SELECT a.id FROM audience_sources a WHERE a.id = n.source_id FOR KEY SHARE) p ON true
  WHERE p.id IS NULL LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert on table "recipient_sources" violates its key to "audience_sources"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (source_id)=(%s) is not present in table "audience_sources".', missing);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION roster_key_recipients() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing uuid;
BEGIN
  SELECT n.series_id INTO missing
  FROM (SELECT DISTINCT series_id FROM new_rows) n
  LEFT JOIN LATERAL (SELECT s.id FROM series s WHERE s.id = n.series_id FOR KEY SHARE) p ON true
  WHERE p.id IS NULL LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert on table "recipients" violates its key to "series"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (series_id)=(%s) is not present in table "series".', missing);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION roster_key_sync_staging() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing uuid;
BEGIN
  SELECT n.job_id INTO missing
  FROM (SELECT DISTINCT job_id FROM new_rows) n
  LEFT JOIN LATERAL (SELECT j.id FROM sync_jobs j WHERE j.id = n.job_id FOR KEY SHARE) p ON true
  WHERE p.id IS NULL LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert on table "sync_staging" violates its key to "sync_jobs"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (job_id)=(%s) is not present in table "sync_jobs".', missing);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recipient_sources_key AFTER INSERT ON recipient_sources
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_key_recipient_sources();
--> statement-breakpoint
CREATE TRIGGER recipients_key AFTER INSERT ON recipients
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_key_recipients();
--> statement-breakpoint
CREATE TRIGGER sync_staging_key AFTER INSERT ON sync_staging
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_key_sync_staging();
--> statement-breakpoint
-- Parent side, after each DELETE: ON DELETE CASCADE, for the whole statement at once.
CREATE FUNCTION roster_cascade_audience_sources() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM recipient_sources c USING old_rows o WHERE c.source_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION roster_cascade_series() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM recipients c USING old_rows o WHERE c.series_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION roster_cascade_sync_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sync_staging c USING old_rows o WHERE c.job_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER audience_sources_cascade AFTER DELETE ON audience_sources
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_cascade_audience_sources();
--> statement-breakpoint
CREATE TRIGGER series_cascade AFTER DELETE ON series
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_cascade_series();
--> statement-breakpoint
CREATE TRIGGER sync_jobs_cascade AFTER DELETE ON sync_jobs
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_cascade_sync_jobs();
--> statement-breakpoint
-- Neither side's key moves: a holding never changes source, a source or series never changes id.
CREATE FUNCTION roster_key_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'column "%" of table "%" cannot change', TG_ARGV[0], TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
END $$;
--> statement-breakpoint
CREATE TRIGGER recipient_sources_key_fixed BEFORE UPDATE OF source_id ON recipient_sources
  FOR EACH ROW WHEN (OLD.source_id IS DISTINCT FROM NEW.source_id) EXECUTE FUNCTION roster_key_is_fixed('source_id');
--> statement-breakpoint
CREATE TRIGGER recipients_key_fixed BEFORE UPDATE OF series_id ON recipients
  FOR EACH ROW WHEN (OLD.series_id IS DISTINCT FROM NEW.series_id) EXECUTE FUNCTION roster_key_is_fixed('series_id');
--> statement-breakpoint
CREATE TRIGGER sync_staging_key_fixed BEFORE UPDATE OF job_id ON sync_staging
  FOR EACH ROW WHEN (OLD.job_id IS DISTINCT FROM NEW.job_id) EXECUTE FUNCTION roster_key_is_fixed('job_id');
--> statement-breakpoint
CREATE TRIGGER audience_sources_id_fixed BEFORE UPDATE OF id ON audience_sources
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION roster_key_is_fixed('id');
--> statement-breakpoint
CREATE TRIGGER series_id_fixed BEFORE UPDATE OF id ON series
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION roster_key_is_fixed('id');
--> statement-breakpoint
CREATE TRIGGER sync_jobs_id_fixed BEFORE UPDATE OF id ON sync_jobs
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION roster_key_is_fixed('id');
