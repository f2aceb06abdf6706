-- networks.member_count (0007) was kept by a row-level trigger: a bulk insert of memberships
-- updated the same few network rows once per membership (120,000 updates of 150 rows when the
-- national benchmark seeds, each a new row version: tens of minutes). Statement-level triggers
-- with transition tables update each network once per statement, by the number of rows.
DROP TRIGGER IF EXISTS memberships_member_count ON memberships;
--> statement-breakpoint
DROP FUNCTION IF EXISTS networks_member_count();
--> statement-breakpoint
CREATE FUNCTION networks_member_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE networks n SET member_count = n.member_count + c.n
  FROM (SELECT network_id, count(*)::int AS n FROM added GROUP BY network_id) c
  WHERE n.id = c.network_id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION networks_member_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE networks n SET member_count = n.member_count - c.n
  FROM (SELECT network_id, count(*)::int AS n FROM removed GROUP BY network_id) c
  WHERE n.id = c.network_id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION networks_member_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE networks n SET member_count = n.member_count + c.n
  FROM (
    SELECT network_id, sum(d)::int AS n FROM (
      SELECT network_id, 1 AS d FROM added
      UNION ALL
      SELECT network_id, -1 AS d FROM removed
    ) changes GROUP BY network_id
  ) c
  WHERE n.id = c.network_id AND c.n <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION networks_member_count_added();
--> statement-breakpoint
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION networks_member_count_removed();
--> statement-breakpoint
CREATE TRIGGER memberships_count_update AFTER UPDATE ON memberships
  REFERENCING NEW TABLE AS added OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION networks_member_count_moved();
--> statement-breakpoint
UPDATE networks n SET member_count = (SELECT count(*) FROM memberships m WHERE m.network_id = n.id);
