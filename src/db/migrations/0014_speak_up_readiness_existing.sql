-- Schools that already take reports keep doing so: a police / hate-crime contact (999 in an
-- emergency) counts as their urgent contact, and providers keep their alphabetical order.
UPDATE "speak_up_support_contacts" SET "urgent" = true WHERE "kind" = 'police_hate_crime';--> statement-breakpoint
UPDATE "speak_up_placement_providers" p SET "position" = o.n
FROM (
  SELECT "id", row_number() OVER (PARTITION BY "institution_id" ORDER BY lower("name")) AS n
  FROM "speak_up_placement_providers"
) o
WHERE p."id" = o."id";
