CREATE TABLE "speak_up_conflict_scans" (
	"user_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"fingerprint" text NOT NULL,
	"scanned_at" timestamp with time zone NOT NULL,
	CONSTRAINT "speak_up_conflict_scans_user_id_institution_id_pk" PRIMARY KEY("user_id","institution_id")
);
--> statement-breakpoint
CREATE TABLE "speak_up_named_handlers" (
	"report_id" uuid NOT NULL,
	"handler_token" text NOT NULL,
	CONSTRAINT "speak_up_named_handlers_report_id_handler_token_pk" PRIMARY KEY("report_id","handler_token")
);
--> statement-breakpoint
ALTER TABLE "speak_up_match_holds" ADD COLUMN "expires_at" timestamp with time zone DEFAULT now() + interval '12 months' NOT NULL;--> statement-breakpoint
ALTER TABLE "speak_up_match_holds" ADD COLUMN "on_expiry" text DEFAULT 'delete' NOT NULL;--> statement-breakpoint
ALTER TABLE "speak_up_conflict_scans" ADD CONSTRAINT "speak_up_conflict_scans_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_conflict_scans" ADD CONSTRAINT "speak_up_conflict_scans_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_named_handlers" ADD CONSTRAINT "speak_up_named_handlers_report_id_speak_up_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."speak_up_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "speak_up_match_holds_expiry_idx" ON "speak_up_match_holds" USING btree ("expires_at") WHERE "speak_up_match_holds"."released_at" is null;