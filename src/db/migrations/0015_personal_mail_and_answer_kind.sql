ALTER TABLE "meeting_poll_answers" ADD COLUMN "kind" text;--> statement-breakpoint
-- Existing answers take the answerer's kind now (the best record there is); former members' answers do not count anyway.
UPDATE "meeting_poll_answers" a SET "kind" = m."kind" FROM "meeting_polls" p, "memberships" m WHERE p."id" = a."poll_id" AND m."network_id" = p."network_id" AND m."user_id" = a."user_id";--> statement-breakpoint
UPDATE "meeting_poll_answers" SET "kind" = 'staff' WHERE "kind" IS NULL;--> statement-breakpoint
ALTER TABLE "meeting_poll_answers" ALTER COLUMN "kind" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "mail_outbox" ADD COLUMN "personal" boolean DEFAULT false NOT NULL;
