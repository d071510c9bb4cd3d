DROP INDEX "kv_entries_revision_idx";--> statement-breakpoint
ALTER TABLE "kv_entries" ALTER COLUMN "value" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "kv_entries" ADD COLUMN "op" text DEFAULT 'put' NOT NULL;--> statement-breakpoint
CREATE INDEX "kv_entries_revision_key_idx" ON "kv_entries" USING btree ("bucket_id","revision","key");--> statement-breakpoint
ALTER TABLE "kv_entries" ADD CONSTRAINT "kv_entries_op_check" CHECK ("kv_entries"."op" in ('put', 'delete', 'expire'));--> statement-breakpoint
-- Keys whose newest change is a delete or an expiry keep it as a tombstone in kv_entries.
INSERT INTO "kv_entries" ("bucket_id", "key", "revision", "create_revision", "op", "value", "expires_at")
SELECT "bucket_id", "key", "revision", "revision", "op", NULL, NULL FROM (
  SELECT DISTINCT ON ("bucket_id", "key") "bucket_id", "key", "revision", "op"
    FROM "kv_events" ORDER BY "bucket_id", "key", "revision" DESC
) "newest" WHERE "op" <> 'put'
ON CONFLICT ("bucket_id", "key") DO NOTHING;--> statement-breakpoint
-- kv_events keeps only the revisions kv_entries no longer holds.
DELETE FROM "kv_events" "ev" USING "kv_entries" "e"
 WHERE "ev"."bucket_id" = "e"."bucket_id" AND "ev"."key" = "e"."key" AND "ev"."revision" = "e"."revision";
