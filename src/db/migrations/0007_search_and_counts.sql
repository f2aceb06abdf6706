-- Searching people by part of a name or e-mail address (the admin's user search): trigram
-- indexes serve ILIKE '%…%'. pg_trgm is a trusted extension (PostgreSQL 13+), and PGlite loads it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "users_name_trgm_idx" ON "users" USING gin ("name" gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "users_email_trgm_idx" ON "users" USING gin ("email" gin_trgm_ops);
--> statement-breakpoint
-- networks.member_count follows memberships: one row changes per membership added or removed, in
-- the same transaction, so the count is never stale and listing networks reads one column.
CREATE FUNCTION networks_member_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE networks SET member_count = member_count + 1 WHERE id = NEW.network_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE networks SET member_count = member_count - 1 WHERE id = OLD.network_id;
  ELSIF NEW.network_id IS DISTINCT FROM OLD.network_id THEN
    UPDATE networks SET member_count = member_count - 1 WHERE id = OLD.network_id;
    UPDATE networks SET member_count = member_count + 1 WHERE id = NEW.network_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER memberships_member_count AFTER INSERT OR DELETE OR UPDATE OF network_id ON memberships
  FOR EACH ROW EXECUTE FUNCTION networks_member_count();
--> statement-breakpoint
UPDATE networks n SET member_count = (SELECT count(*) FROM memberships m WHERE m.network_id = n.id);
