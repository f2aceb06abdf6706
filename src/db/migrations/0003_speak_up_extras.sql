CREATE TABLE "job_runs" (
	"job_name" text NOT NULL,
	"slot" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"result" jsonb,
	CONSTRAINT "job_runs_job_name_slot_pk" PRIMARY KEY("job_name","slot")
);
--> statement-breakpoint
CREATE TABLE "speak_up_attachments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"author" text NOT NULL,
	"handler_user_id" uuid,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"name_sealed" text NOT NULL,
	"data_sealed" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "speak_up_attachments_reporter_unnamed" CHECK ("speak_up_attachments"."author" = 'handler' or "speak_up_attachments"."handler_user_id" is null)
);
--> statement-breakpoint
CREATE TABLE "speak_up_match_holds" (
	"report_id" uuid PRIMARY KEY NOT NULL,
	"institution_id" uuid NOT NULL,
	"reporter_hash" text NOT NULL,
	"held_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "speak_up_match_keys" (
	"report_id" uuid NOT NULL,
	"identifier_hash" text NOT NULL,
	CONSTRAINT "speak_up_match_keys_report_id_identifier_hash_pk" PRIMARY KEY("report_id","identifier_hash")
);
--> statement-breakpoint
CREATE TABLE "speak_up_reminders_sent" (
	"report_id" uuid NOT NULL,
	"deadline" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "speak_up_reminders_sent_report_id_deadline_pk" PRIMARY KEY("report_id","deadline")
);
--> statement-breakpoint
ALTER TABLE "speak_up_attachments" ADD CONSTRAINT "speak_up_attachments_report_id_speak_up_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."speak_up_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_attachments" ADD CONSTRAINT "speak_up_attachments_handler_user_id_users_id_fk" FOREIGN KEY ("handler_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_match_holds" ADD CONSTRAINT "speak_up_match_holds_report_id_speak_up_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."speak_up_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_match_holds" ADD CONSTRAINT "speak_up_match_holds_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_match_keys" ADD CONSTRAINT "speak_up_match_keys_report_id_speak_up_match_holds_report_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."speak_up_match_holds"("report_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_reminders_sent" ADD CONSTRAINT "speak_up_reminders_sent_report_id_speak_up_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."speak_up_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "speak_up_attachments_report_idx" ON "speak_up_attachments" USING btree ("report_id","created_at");--> statement-breakpoint
CREATE INDEX "speak_up_match_holds_open_idx" ON "speak_up_match_holds" USING btree ("institution_id","released_at");--> statement-breakpoint
CREATE INDEX "speak_up_match_keys_hash_idx" ON "speak_up_match_keys" USING btree ("identifier_hash");