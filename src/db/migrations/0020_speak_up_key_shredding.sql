-- Crypto-shredding (server/modules/speak-up/report-keys.ts): whenever a report's wrapped data key
-- leaves the table (purged, deleted by its reporter, a held report deleted, whatever the code
-- path), its key epoch is listed for retirement. The application then re-wraps the epoch's other
-- reports under a new epoch and destroys the old epoch's secret, kept outside the database.
CREATE FUNCTION speak_up_report_key_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.wrapped_key LIKE 'k2.%' AND (TG_OP = 'DELETE' OR NEW.wrapped_key IS NULL) THEN
    INSERT INTO speak_up_key_rotations_due (epoch_id) VALUES (split_part(OLD.wrapped_key, '.', 2)::uuid);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER speak_up_reports_key_removed AFTER UPDATE OF wrapped_key OR DELETE ON speak_up_reports
  FOR EACH ROW EXECUTE FUNCTION speak_up_report_key_removed();
