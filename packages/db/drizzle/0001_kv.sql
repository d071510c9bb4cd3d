CREATE TABLE "kv_events" (
	"bucket_id" bigint NOT NULL,
	"revision" bigint NOT NULL,
	"key" text collate "C" NOT NULL,
	"op" text NOT NULL,
	"value" "bytea",
	"expires_at" timestamp with time zone,
	CONSTRAINT "kv_events_bucket_id_revision_key_pk" PRIMARY KEY("bucket_id","revision","key"),
	CONSTRAINT "kv_events_op_check" CHECK ("kv_events"."op" in ('put', 'delete', 'expire'))
);
--> statement-breakpoint
ALTER TABLE "kv_buckets" ADD COLUMN "compacted_revision" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "kv_events" ADD CONSTRAINT "kv_events_bucket_id_kv_buckets_id_fk" FOREIGN KEY ("bucket_id") REFERENCES "public"."kv_buckets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kv_events_key_revision_idx" ON "kv_events" USING btree ("bucket_id","key","revision");