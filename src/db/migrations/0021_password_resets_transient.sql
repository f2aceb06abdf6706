ALTER TABLE "public"."password_reset_requests" SET SCHEMA "transient";
