CREATE TABLE "transient"."auth_failures" (
	"scope" text NOT NULL,
	"subject_key" text NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "auth_failures_scope_subject_key_pk" PRIMARY KEY("scope","subject_key")
);
--> statement-breakpoint
CREATE TABLE "speak_up_handler_identities" (
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "speak_up_handler_identities_user_id_kind_value_pk" PRIMARY KEY("user_id","kind","value")
);
--> statement-breakpoint
CREATE TABLE "speak_up_statistics_snapshots" (
	"institution_id" uuid NOT NULL,
	"academic_year" integer NOT NULL,
	"through_month" text NOT NULL,
	"figures" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "speak_up_statistics_snapshots_institution_id_academic_year_through_month_pk" PRIMARY KEY("institution_id","academic_year","through_month")
);
--> statement-breakpoint
ALTER TABLE "speak_up_match_holds" ADD COLUMN "account_hash" text;--> statement-breakpoint
ALTER TABLE "speak_up_handler_identities" ADD CONSTRAINT "speak_up_handler_identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_statistics_snapshots" ADD CONSTRAINT "speak_up_statistics_snapshots_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "auth_failures_expires_idx" ON "transient"."auth_failures" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "speak_up_match_holds_account_idx" ON "speak_up_match_holds" USING btree ("account_hash") WHERE "speak_up_match_holds"."released_at" is null;