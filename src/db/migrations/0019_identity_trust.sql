CREATE TABLE "case_handler_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"requested_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decision" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	CONSTRAINT "case_handler_requests_decided" CHECK (("case_handler_requests"."decision" is null) = ("case_handler_requests"."decided_at" is null))
);
--> statement-breakpoint
CREATE TABLE "password_reset_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "speak_up_equality_pending" (
	"institution_id" uuid NOT NULL,
	"month" text NOT NULL,
	"epoch_id" uuid NOT NULL,
	"answers_sealed" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "speak_up_key_epochs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"bucket" text NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "speak_up_key_rotations_due" (
	"epoch_id" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "identity_providers" ADD COLUMN "email_domains" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "case_handler_requests" ADD CONSTRAINT "case_handler_requests_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_handler_requests" ADD CONSTRAINT "case_handler_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_handler_requests" ADD CONSTRAINT "case_handler_requests_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_handler_requests" ADD CONSTRAINT "case_handler_requests_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speak_up_equality_pending" ADD CONSTRAINT "speak_up_equality_pending_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "case_handler_requests_open_key" ON "case_handler_requests" USING btree ("institution_id","user_id") WHERE "case_handler_requests"."decided_at" is null;--> statement-breakpoint
CREATE INDEX "case_handler_requests_institution_idx" ON "case_handler_requests" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "password_reset_requests_requested_idx" ON "password_reset_requests" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "speak_up_equality_pending_epoch_idx" ON "speak_up_equality_pending" USING btree ("epoch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "speak_up_key_epochs_current_key" ON "speak_up_key_epochs" USING btree ("purpose","bucket") WHERE "speak_up_key_epochs"."retired_at" is null;--> statement-breakpoint
CREATE INDEX "speak_up_key_rotations_due_idx" ON "speak_up_key_rotations_due" USING btree ("epoch_id");