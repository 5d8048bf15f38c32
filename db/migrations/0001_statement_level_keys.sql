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
-- Arguments: the child's key column, the parent table (whose key is "id").
CREATE FUNCTION roster_key_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing text;
BEGIN
  EXECUTE format(
    'SELECT n.k::text FROM (SELECT DISTINCT %1$I AS k FROM new_rows) n
     LEFT JOIN LATERAL (SELECT p.id FROM %2$I p WHERE p.id = n.k FOR KEY SHARE) found ON true
     WHERE found.id IS NULL LIMIT 1', TG_ARGV[0], TG_ARGV[1]) INTO missing;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'insert on table "%" violates its key to "%"', TG_TABLE_NAME, TG_ARGV[1]
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[0], missing, TG_ARGV[1]);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER recipient_sources_key AFTER INSERT ON recipient_sources
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_key_check('source_id', 'audience_sources');
--> statement-breakpoint
CREATE TRIGGER recipients_key AFTER INSERT ON recipients
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_key_check('series_id', 'series');
--> statement-breakpoint
CREATE TRIGGER sync_staging_key AFTER INSERT ON sync_staging
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_key_check('job_id', 'sync_jobs');
--> statement-breakpoint
-- Parent side, after each DELETE: ON DELETE CASCADE, for the whole statement at once.
-- Arguments: the child table, its key column.
CREATE FUNCTION roster_key_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DELETE FROM %1$I c USING old_rows o WHERE c.%2$I = o.id', TG_ARGV[0], TG_ARGV[1]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER audience_sources_cascade AFTER DELETE ON audience_sources
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_key_cascade('recipient_sources', 'source_id');
--> statement-breakpoint
CREATE TRIGGER series_cascade AFTER DELETE ON series
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_key_cascade('recipients', 'series_id');
--> statement-breakpoint
CREATE TRIGGER sync_jobs_cascade AFTER DELETE ON sync_jobs
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION roster_key_cascade('sync_staging', 'job_id');
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
