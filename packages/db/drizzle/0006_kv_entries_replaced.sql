ALTER TABLE "kv_entries" ADD COLUMN "replaced_revision" bigint;--> statement-breakpoint
ALTER TABLE "kv_entries" ADD COLUMN "replaced_op" text;--> statement-breakpoint
ALTER TABLE "kv_entries" ADD COLUMN "replaced_bytes" integer;