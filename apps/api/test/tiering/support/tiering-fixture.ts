import { randomBytes } from "node:crypto";
import { type ObjectStore } from "@strata/core";
import { S3ObjectStore } from "../../../src/tiering/s3-object-store.js";
import { type ReadMessage, TenantClient } from "../../support/tenant-client.js";
import { startTestApp, type TestApp } from "../../support/test-app.js";
import { type LocalS3, startS3 } from "./s3rver.js";

export interface TieringFixture {
  readonly t: TestApp;
  readonly c: TenantClient;
  readonly s3: LocalS3;
  /** A second client of the same bucket, to look at (and tamper with) the objects. */
  readonly store: S3ObjectStore;
  readonly tenantId: string;
  streamId(name: string): Promise<number>;
  /** Runs the tiering job for one stream now (everything old enough, however few). */
  tier(name: string, body?: Record<string, unknown>): Promise<Record<string, number>>;
  retention(name: string): Promise<Record<string, number>>;
  /** Every object key under the stream's prefix. */
  objects(name: string): Promise<string[]>;
  tiers(name: string): Promise<{ hot: number; segments: number; cold: number }>;
  close(): Promise<void>;
}

/** The API on a fresh database with its cold tier on a real s3rver (small segments). */
export async function startTieringFixture(
  env: Record<string, string> = {},
): Promise<TieringFixture> {
  const s3 = await startS3(`strata-${randomBytes(3).toString("hex")}`);
  const t = await startTestApp({
    ...s3.env,
    STRATA_TIER_SEGMENT_MESSAGES: "50",
    STRATA_TIER_ORPHAN_GRACE_SECONDS: "0",
    ...env,
  });
  const { tenantId, secret } = await t.tenantWithKey(["streams:read", "streams:write"]);
  const c = new TenantClient(t.baseUrl, secret);
  const store = new S3ObjectStore({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    forcePathStyle: true,
  });
  const streamId = async (name: string) => {
    const { rows } = await t.pool.query<{ id: string }>(
      "select id from streams where tenant_id = $1 and name = $2",
      [tenantId, name],
    );
    return Number(rows[0]!.id);
  };
  const post = async (path: string, body: unknown) => {
    const res = await t.admin("POST", path, body);
    const json = (await res.json()) as Record<string, number>;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    t,
    c,
    s3,
    store,
    tenantId,
    streamId,
    tier: (name, body = { older_than_seconds: 0, min_messages: 1 }) =>
      post(`/v1/admin/streams/${tenantId}/${name}/tier`, body),
    retention: (name) => post(`/v1/admin/streams/${tenantId}/${name}/retention`, {}),
    async objects(name) {
      return listKeys(store, `streams/${await streamId(name)}/`);
    },
    async tiers(name) {
      const id = await streamId(name);
      const { rows } = await t.pool.query<{ hot: number; segments: number; cold: number }>(
        `select (select count(*)::int from stream_messages where stream_id = $1) as hot,
                (select count(*)::int from stream_segments where stream_id = $1) as segments,
                (select coalesce(sum(messages), 0)::int from stream_segments where stream_id = $1) as cold`,
        [id],
      );
      return rows[0]!;
    },
    async close() {
      store.close();
      await t.close();
      await s3.stop();
    },
  };
}

export async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  return keys;
}

/** Appends `n` messages with varied values, headers and msg ids; returns nothing (read them back). */
export async function appendVaried(c: TenantClient, name: string, n: number, from = 0) {
  for (let i = from; i < from + n; i += 100) {
    const messages = Array.from({ length: Math.min(100, from + n - i) }, (_, k) => {
      const j = i + k;
      const value = Buffer.from(Array.from({ length: (j * 37) % 300 }, (_, b) => (b * j) % 256));
      return {
        value_base64: value.toString("base64"),
        ...(j % 3 === 0 ? { headers: { kind: `k${j % 7}`, "x-n": String(j) } } : {}),
        ...(j % 5 === 0 ? { msg_id: `id-${j}` } : {}),
      };
    });
    const res = await c.append(name, { messages });
    if (res.status >= 300) throw new Error(`append: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

export const seqs = (ms: readonly ReadMessage[]) => ms.map((m) => m.seq);
