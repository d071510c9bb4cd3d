import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "@automerge/automerge";
import {
  DocCompactor,
  type DocRowId,
  type DocumentId,
  DocOwner,
  type ObjectStore,
  type TenantId,
} from "@strata/core";
import { DocCatalogPg } from "@strata/db";
import { OBJECT_STORE } from "../../../src/tiering/object-store.module.js";
import { TieringService } from "../../../src/tiering/tiering.service.js";
import { DocClient, type Doc, sortedHeads } from "../../docs/doc-client.js";
import { startTestApp, type TestApp } from "../../support/test-app.js";
import { startS3 } from "./s3rver.js";

/** Where the app's object store lives: a real s3rver, or a local directory. */
export interface ObjectBackend {
  readonly name: string;
  start(): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

export const OBJECT_BACKENDS: readonly ObjectBackend[] = [
  {
    name: "s3rver",
    async start() {
      const s3 = await startS3(`strata-docs-${Date.now().toString(36)}`);
      return { env: s3.env, stop: () => s3.stop() };
    },
  },
  {
    name: "local directory",
    async start() {
      const dir = await mkdtemp(join(tmpdir(), "strata-doc-tier-"));
      return {
        env: { STRATA_OBJECTS_DRIVER: "local", STRATA_OBJECTS_DIR: dir },
        stop: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
];

/** What a client sees of a document: the JSON view, the binary save, and the heads endpoint. */
export interface DocView {
  readonly content: unknown;
  readonly heads: string[];
  readonly binaryContent: unknown;
  readonly binaryHeads: string[];
  readonly headsEndpoint: string[];
}

/**
 * The API with documents tiered after 600 s idle (tests backdate
 * `updated_at`), compaction left to the tests, and no orphan grace.
 */
export class DocTieringFixture {
  t!: TestApp;
  c!: DocClient;
  tenantId!: string;
  private secret!: string;
  private objects!: { env: Record<string, string>; stop(): Promise<void> };

  constructor(private readonly backend: ObjectBackend) {}

  private get env(): Record<string, string> {
    return {
      ...this.objects.env,
      STRATA_DOC_COMPACT_CHANGES: "1000000",
      STRATA_DOC_COMPACT_IDLE_MS: "3600000",
      STRATA_TIER_DOC_IDLE_SECONDS: "600",
      STRATA_TIER_ORPHAN_GRACE_SECONDS: "0",
    };
  }

  async start(): Promise<void> {
    this.objects = await this.backend.start();
    this.t = await startTestApp(this.env);
    const k = await this.t.tenantWithKey(["docs:read", "docs:write"]);
    this.tenantId = k.tenantId;
    this.secret = k.secret;
    this.c = new DocClient(this.t.baseUrl, k.secret);
  }

  /** A new process on the same database and object store. */
  async restart(): Promise<void> {
    const { db, adminToken } = this.t;
    await this.t.close({ keepDatabase: true });
    this.t = await startTestApp(this.env, { db, adminToken });
    this.c = new DocClient(this.t.baseUrl, this.secret);
  }

  async close(): Promise<void> {
    await this.t?.close();
    await this.objects?.stop();
  }

  get store(): ObjectStore {
    return this.t.app.get<ObjectStore>(OBJECT_STORE);
  }
  get compactor(): DocCompactor {
    return this.t.app.get(DocCompactor);
  }
  get tiering(): TieringService {
    return this.t.app.get(TieringService);
  }

  /** Drops the owner's memory, so the next read loads from storage. */
  evict(): void {
    this.t.app.get(DocOwner).evictIdle(-1);
  }

  async rowId(documentId: string): Promise<DocRowId> {
    const info = await this.t.app
      .get(DocCatalogPg)
      .get({ tenantId: this.tenantId as TenantId, documentId: documentId as DocumentId });
    return info!.id;
  }

  /** Makes the document look unwritten for two hours (past the 600 s policy). */
  async idle(docId: DocRowId): Promise<void> {
    await this.t.pool.query(
      "update docs set updated_at = now() - interval '2 hours' where id = $1",
      [docId],
    );
  }

  async snapshotRow(docId: DocRowId) {
    const { rows } = await this.t.pool.query<{ hot: boolean; object_key: string | null }>(
      `select bytes is not null as hot, object_key from doc_snapshots
        where doc_id = $1 order by id desc limit 1`,
      [docId],
    );
    return rows[0]!;
  }

  async objectKeys(docId: DocRowId): Promise<string[]> {
    const keys: string[] = [];
    for await (const o of this.store.list(`docs/${docId}/`)) keys.push(o.key);
    return keys;
  }

  /** The admin view's tier of the document's snapshot. */
  async adminTier(documentId: string): Promise<string | null> {
    const res = await this.t.admin("GET", `/v1/admin/docs?tenant=${this.tenantId}&limit=500`);
    const body = (await res.json()) as {
      items: { document_id: string; snapshot_tier: string | null }[];
    };
    return body.items.find((d) => d.document_id === documentId)!.snapshot_tier;
  }

  async read(id: string): Promise<DocView> {
    const json = await this.c.content(id);
    if (json.status !== 200) throw new Error(`read: ${json.status} ${JSON.stringify(json.body)}`);
    const doc = await this.c.load(id);
    return {
      content: json.body.content,
      heads: [...json.body.heads].sort(),
      binaryContent: A.toJS(doc),
      binaryHeads: sortedHeads(doc),
      headsEndpoint: [...(await this.c.heads(id))].sort(),
    };
  }

  /** A document with edits by REST, compacted into one snapshot; returns it and the local copy. */
  async compactedDoc(edits = 8): Promise<{ id: string; docId: DocRowId; local: Doc }> {
    const { id } = await this.c.create({ title: "plan", items: [] });
    let local = await this.c.load(id);
    for (let i = 0; i < edits; i++) {
      local = await this.c.edit(id, local, (d) => {
        (d.items as string[]).push(`item ${i}: ${"x".repeat(i * 50)}`);
        d[`k${i}`] = { n: i, even: i % 2 === 0 };
      });
    }
    const docId = await this.rowId(id);
    const r = await this.compactor.compact(docId);
    if (r.outcome !== "compacted") throw new Error(`compaction: ${r.outcome}`);
    return { id, docId, local };
  }

  /** As `compactedDoc`, then tiered by the `tiering` job; returns the snapshot's object key too. */
  async tieredDoc() {
    const d = await this.compactedDoc();
    await this.idle(d.docId);
    const run = await this.tiering.tierAll();
    if (run.docSnapshots < 1) throw new Error("the tiering run moved no document snapshot");
    const row = await this.snapshotRow(d.docId);
    if (row.hot || !row.object_key) throw new Error("the snapshot was not tiered");
    return { ...d, key: row.object_key };
  }
}

/** The view a document with this local copy must give. */
export function viewOf(local: Doc): Omit<DocView, "content"> {
  const heads = sortedHeads(local);
  return { heads, binaryContent: A.toJS(local), binaryHeads: heads, headsEndpoint: heads };
}
