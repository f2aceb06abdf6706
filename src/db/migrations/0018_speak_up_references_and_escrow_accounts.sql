-- Case references become random (R-7KQM-4XP2): sequential ones showed gaps for reports a handler
-- cannot see. Every existing report gets a fresh one, unique within its school.
DO $$
DECLARE
  r record;
  ref text;
  bytes bytea;
  alphabet text := '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
BEGIN
  FOR r IN SELECT id, institution_id FROM speak_up_reports LOOP
    LOOP
      bytes := uuid_send(gen_random_uuid());
      ref := 'R-';
      FOR i IN 0..7 LOOP
        IF i = 4 THEN ref := ref || '-'; END IF;
        -- Byte 6 carries the UUID version: skipped.
        ref := ref || substr(alphabet, 1 + (get_byte(bytes, CASE WHEN i < 6 THEN i ELSE i + 1 END) & 31), 1);
      END LOOP;
      EXIT WHEN NOT EXISTS (
        SELECT 1 FROM speak_up_reports WHERE institution_id = r.institution_id AND reference = ref
      );
    END LOOP;
    UPDATE speak_up_reports SET reference = ref WHERE id = r.id;
  END LOOP;
END $$;
--> statement-breakpoint
-- Escrow entries of named reports were keyed by the reporter's account already: they keep counting
-- as that account. Entries of anonymous reports had no account and never match again.
UPDATE speak_up_match_holds h SET account_hash = h.reporter_hash
  FROM speak_up_reports r
  WHERE r.id = h.report_id AND NOT r.anonymous;
