CREATE TABLE "speak_up_equality_counts" (
	"institution_id" uuid NOT NULL,
	"month" text NOT NULL,
	"dimension" text NOT NULL,
	"value" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "speak_up_equality_counts_institution_id_month_dimension_value_pk" PRIMARY KEY("institution_id","month","dimension","value")
);
--> statement-breakpoint
CREATE TABLE "speak_up_placement_providers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "speak_up_conflicts" (
	"report_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"declared_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "speak_up_conflicts_report_id_user_id_pk" PRIMARY KEY("report_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "speak_up_escalations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"provider_id" uuid,
	"detail_sealed" text NOT NULL,
	"response_due_on" date NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "speak_up_messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"author" text NOT NULL,
	"handler_user_id" uuid,
	"internal" boolean DEFAULT false NOT NULL,
	"body_sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "speak_up_messages_notes_by_handlers" CHECK (not "speak_up_messages"."internal" or "speak_up_messages"."author" = 'handler'),
	CONSTRAINT "speak_up_messages_reporter_unnamed" CHECK ("speak_up_messages"."author" = 'handler' or "speak_up_messages"."handler_user_id" is null)
);
--> statement-breakpoint
CREATE TABLE "speak_up_receipts" (
	"report_id" uuid PRIMARY KEY NOT NULL,
	"locator" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "speak_up_receipts_locator_key" UNIQUE("locator")
);
--> statement-breakpoint
CREATE TABLE "speak_up_reference_counters" (
	"institution_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"last_number" integer NOT NULL,
	CONSTRAINT "speak_up_reference_counters_institution_id_year_pk" PRIMARY KEY("institution_id","year")
);
--> statement-breakpoint
CREATE TABLE "speak_up_reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"institution_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"action_kind" text,
	"outcome" text,
	"received_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"assessing_at" timestamp with time zone,
	"action_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"acknowledge_due_at" timestamp with time zone NOT NULL,
	"respond_due_at" timestamp with time zone NOT NULL,
	"assigned_handler_id" uuid,
	"anonymous" boolean NOT NULL,
	"reporter_lookup" text,
	"incident_month" text NOT NULL,
	"setting" text NOT NULL,
	"placement_provider_id" uuid,
	"involved_roles" text[] NOT NULL,
	"involvement" text NOT NULL,
	"outcome_wanted" text NOT NULL,
	"assessment_protection" boolean NOT NULL,
	"wrapped_key" text,
	"when_sealed" text,
	"where_sealed" text,
	"people_sealed" text,
	"what_happened_sealed" text,
	"effect_sealed" text,
	"reporter_sealed" text,
	"outcome_note_sealed" text,
	"last_reporter_message_at" timestamp with time zone,
	"deletion_requested_at" timestamp with time zone,
	"purged_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "speak_up_reports_named_only" CHECK (("speak_up_reports"."anonymous" and "speak_up_reports"."reporter_lookup" is null and "speak_up_reports"."reporter_sealed" is null) or not "speak_up_reports"."anonymous"),
	CONSTRAINT "speak_up_reports_provider_on_placement" CHECK ("speak_up_reports"."setting" = 'placement' or "speak_up_reports"."placement_provider_id" is null),
	CONSTRAINT "speak_up_reports_closed_has_outcome" CHECK ("speak_up_reports"."status" <> 'closed' or "speak_up_reports"."outcome" is not null),
	CONSTRAINT "speak_up_reports_action_has_kind" CHECK ("speak_up_reports"."status" <> 'action' or "speak_up_reports"."action_kind" is not null),
	CONSTRAINT "speak_up_reports_content_or_purged" CHECK (("speak_up_reports"."purged_at" is null and "speak_up_reports"."wrapped_key" is not null and "speak_up_reports"."what_happened_sealed" is not null) or ("speak_up_reports"."purged_at" is not null and "speak_up_reports"."wrapped_key" is null))
);
--> statement-breakpoint
CREATE TABLE "speak_up_support_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"phone" text,
	"url" text,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "speak_up_equality_counts" ADD CONSTRAINT "speak_up_equality_counts_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_placement_providers" ADD CONSTRAINT "speak_up_placement_providers_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_conflicts" ADD CONSTRAINT "speak_up_conflicts_report_id_speak_up_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."speak_up_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_conflicts" ADD CONSTRAINT "speak_up_conflicts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_conflicts" ADD CONSTRAINT "speak_up_conflicts_declared_by_users_id_fk" FOREIGN KEY ("declared_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_escalations" ADD CONSTRAINT "speak_up_escalations_report_id_speak_up_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."speak_up_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_escalations" ADD CONSTRAINT "speak_up_escalations_provider_id_speak_up_placement_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."speak_up_placement_providers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_escalations" ADD CONSTRAINT "speak_up_escalations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_messages" ADD CONSTRAINT "speak_up_messages_report_id_speak_up_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."speak_up_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_messages" ADD CONSTRAINT "speak_up_messages_handler_user_id_users_id_fk" FOREIGN KEY ("handler_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_receipts" ADD CONSTRAINT "speak_up_receipts_report_id_speak_up_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."speak_up_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_reference_counters" ADD CONSTRAINT "speak_up_reference_counters_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_reports" ADD CONSTRAINT "speak_up_reports_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_reports" ADD CONSTRAINT "speak_up_reports_assigned_handler_id_users_id_fk" FOREIGN KEY ("assigned_handler_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_reports" ADD CONSTRAINT "speak_up_reports_placement_provider_id_speak_up_placement_providers_id_fk" FOREIGN KEY ("placement_provider_id") REFERENCES "public"."speak_up_placement_providers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_support_contacts" ADD CONSTRAINT "speak_up_support_contacts_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "speak_up_providers_name_key" ON "speak_up_placement_providers" USING btree ("institution_id",lower("name"));--> statement-breakpoint
CREATE INDEX "speak_up_escalations_report_idx" ON "speak_up_escalations" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "speak_up_messages_report_idx" ON "speak_up_messages" USING btree ("report_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "speak_up_reports_reference_key" ON "speak_up_reports" USING btree ("institution_id","reference");--> statement-breakpoint
CREATE INDEX "speak_up_reports_queue_idx" ON "speak_up_reports" USING btree ("institution_id","status","respond_due_at");--> statement-breakpoint
CREATE INDEX "speak_up_reports_received_idx" ON "speak_up_reports" USING btree ("institution_id","received_at");--> statement-breakpoint
CREATE INDEX "speak_up_reports_reporter_idx" ON "speak_up_reports" USING btree ("reporter_lookup");--> statement-breakpoint
CREATE INDEX "speak_up_support_institution_idx" ON "speak_up_support_contacts" USING btree ("institution_id","position");