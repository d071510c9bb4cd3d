CREATE TABLE "leases" (
	"resource" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"tenant_id" uuid,
	"node_id" text,
	"epoch" bigint DEFAULT 1 NOT NULL,
	"acquired_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nodes" (
	"id" text PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"version" text NOT NULL,
	"roles" text[] NOT NULL,
	"status" text DEFAULT 'alive' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_expires_at" timestamp with time zone NOT NULL,
	"load" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "nodes_status_check" CHECK ("nodes"."status" in ('alive', 'suspect', 'dead', 'draining'))
);
--> statement-breakpoint
CREATE TABLE "doc_changes" (
	"doc_id" bigint NOT NULL,
	"actor" text NOT NULL,
	"seq" integer NOT NULL,
	"hash" text NOT NULL,
	"deps" text[] NOT NULL,
	"bytes" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "doc_changes_doc_id_actor_seq_pk" PRIMARY KEY("doc_id","actor","seq")
);
--> statement-breakpoint
CREATE TABLE "doc_snapshots" (
	"doc_id" bigint NOT NULL,
	"id" bigserial NOT NULL,
	"heads" text[] NOT NULL,
	"bytes" "bytea",
	"object_key" text,
	"size" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "doc_snapshots_doc_id_id_pk" PRIMARY KEY("doc_id","id")
);
--> statement-breakpoint
CREATE TABLE "doc_sync_states" (
	"doc_id" bigint NOT NULL,
	"peer_storage_id" text NOT NULL,
	"state" "bytea" NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "doc_sync_states_doc_id_peer_storage_id_pk" PRIMARY KEY("doc_id","peer_storage_id")
);
--> statement-breakpoint
CREATE TABLE "docs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"document_id" text NOT NULL,
	"heads" text[] DEFAULT '{}'::text[] NOT NULL,
	"changes" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kv_buckets" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"mode" text DEFAULT 'standard' NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_revision" bigint DEFAULT 0 NOT NULL,
	"keys" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kv_buckets_mode_check" CHECK ("kv_buckets"."mode" in ('standard', 'crdt'))
);
--> statement-breakpoint
CREATE TABLE "kv_entries" (
	"bucket_id" bigint NOT NULL,
	"key" text collate "C" NOT NULL,
	"revision" bigint NOT NULL,
	"create_revision" bigint NOT NULL,
	"value" "bytea" NOT NULL,
	"expires_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kv_entries_bucket_id_key_pk" PRIMARY KEY("bucket_id","key")
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"resource" text NOT NULL,
	"tenant_id" uuid,
	"message" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"tenant_id" uuid,
	"target" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stream_chunks" (
	"stream_id" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"chunk" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "stream_chunks_stream_id_seq_chunk_pk" PRIMARY KEY("stream_id","seq","chunk")
);
--> statement-breakpoint
CREATE TABLE "stream_consumers" (
	"stream_id" bigint NOT NULL,
	"name" text NOT NULL,
	"acked_seq" bigint DEFAULT 0 NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stream_consumers_stream_id_name_pk" PRIMARY KEY("stream_id","name")
);
--> statement-breakpoint
CREATE TABLE "stream_messages" (
	"stream_id" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"headers" jsonb,
	"value" "bytea",
	"value_ref" text,
	"value_size" integer NOT NULL,
	"msg_id" text,
	CONSTRAINT "stream_messages_stream_id_seq_pk" PRIMARY KEY("stream_id","seq")
);
--> statement-breakpoint
CREATE TABLE "stream_segments" (
	"stream_id" bigint NOT NULL,
	"first_seq" bigint NOT NULL,
	"last_seq" bigint NOT NULL,
	"messages" bigint NOT NULL,
	"bytes" bigint NOT NULL,
	"object_key" text NOT NULL,
	"checksum" text NOT NULL,
	"format_version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stream_segments_stream_id_first_seq_pk" PRIMARY KEY("stream_id","first_seq")
);
--> statement-breakpoint
CREATE TABLE "streams" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seq" bigint DEFAULT 1 NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"messages" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"patterns" text[] DEFAULT '{}'::text[] NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_keys_prefix_unique" UNIQUE("prefix")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"quotas" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_name_unique" UNIQUE("name"),
	CONSTRAINT "tenants_status_check" CHECK ("tenants"."status" in ('active', 'suspended'))
);
--> statement-breakpoint
ALTER TABLE "leases" ADD CONSTRAINT "leases_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doc_changes" ADD CONSTRAINT "doc_changes_doc_id_docs_id_fk" FOREIGN KEY ("doc_id") REFERENCES "public"."docs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doc_snapshots" ADD CONSTRAINT "doc_snapshots_doc_id_docs_id_fk" FOREIGN KEY ("doc_id") REFERENCES "public"."docs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doc_sync_states" ADD CONSTRAINT "doc_sync_states_doc_id_docs_id_fk" FOREIGN KEY ("doc_id") REFERENCES "public"."docs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "docs" ADD CONSTRAINT "docs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kv_buckets" ADD CONSTRAINT "kv_buckets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kv_entries" ADD CONSTRAINT "kv_entries_bucket_id_kv_buckets_id_fk" FOREIGN KEY ("bucket_id") REFERENCES "public"."kv_buckets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_chunks" ADD CONSTRAINT "stream_chunks_stream_id_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."streams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_consumers" ADD CONSTRAINT "stream_consumers_stream_id_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."streams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_messages" ADD CONSTRAINT "stream_messages_stream_id_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."streams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_segments" ADD CONSTRAINT "stream_segments_stream_id_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."streams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams" ADD CONSTRAINT "streams_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "leases_node_idx" ON "leases" USING btree ("node_id");--> statement-breakpoint
CREATE INDEX "leases_tenant_kind_idx" ON "leases" USING btree ("tenant_id","kind");--> statement-breakpoint
CREATE INDEX "nodes_status_idx" ON "nodes" USING btree ("status","lease_expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "doc_changes_hash_idx" ON "doc_changes" USING btree ("doc_id","hash");--> statement-breakpoint
CREATE UNIQUE INDEX "docs_tenant_document_idx" ON "docs" USING btree ("tenant_id","document_id");--> statement-breakpoint
CREATE UNIQUE INDEX "kv_buckets_tenant_name_idx" ON "kv_buckets" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "kv_entries_revision_idx" ON "kv_entries" USING btree ("bucket_id","revision");--> statement-breakpoint
CREATE INDEX "kv_entries_expiry_idx" ON "kv_entries" USING btree ("bucket_id","expires_at") WHERE "kv_entries"."expires_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_idx" ON "alerts" USING btree ("kind","resource") WHERE "alerts"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "alerts_last_seen_idx" ON "alerts" USING btree ("last_seen_at");--> statement-breakpoint
CREATE INDEX "audit_log_tenant_idx" ON "audit_log" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "stream_messages_msg_id_idx" ON "stream_messages" USING btree ("stream_id","msg_id") WHERE "stream_messages"."msg_id" is not null;--> statement-breakpoint
CREATE INDEX "stream_segments_last_seq_idx" ON "stream_segments" USING btree ("stream_id","last_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "streams_tenant_name_idx" ON "streams" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "api_keys_tenant_idx" ON "api_keys" USING btree ("tenant_id","created_at");