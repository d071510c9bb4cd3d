ALTER TABLE "stream_segments" ADD COLUMN "value_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stream_segments" ADD COLUMN "external_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stream_segments" ADD COLUMN "last_ts" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "stream_segments" ADD COLUMN "removed" bigint[] DEFAULT '{}'::bigint[] NOT NULL;