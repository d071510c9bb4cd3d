import { type Brand } from "../common/brand.js";
import { type TenantId } from "../tenants/tenant.js";
import { type DocRef, type DocumentId, type Heads } from "./documents.js";

/** The `docs` row id (placement and foreign keys use it). */
export type DocRowId = Brand<number, "DocRowId">;

/** A document's catalog row: durable heads and storage counters. */
export interface DocInfo {
  readonly id: DocRowId;
  readonly tenantId: TenantId;
  readonly documentId: DocumentId;
  /** Heads of the changes applied (changes still waiting for their deps do not count). */
  readonly heads: Heads;
  /** Rows in `doc_changes` (not yet folded into a snapshot). */
  readonly changes: number;
  /** Bytes of those rows. */
  readonly changeBytes: number;
  /** Stored bytes: latest snapshot plus change rows. */
  readonly bytes: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A change as stored: keyed by (document, actor, seq), unique by hash. */
export interface StoredChange {
  readonly actor: string;
  readonly seq: number;
  readonly hash: string;
  readonly deps: readonly string[];
  readonly bytes: Uint8Array;
}

/** Everything needed to rebuild a document, read in one consistent snapshot of the database. */
export interface DocContent {
  readonly info: DocInfo;
  /** Latest snapshot (`Automerge.save` bytes), or null when there is none. */
  readonly snapshot: { readonly id: number; readonly bytes: Uint8Array } | null;
  /** Change rows not folded into that snapshot (some may be in it after an interrupted compaction). */
  readonly changes: readonly StoredChange[];
}

/** One fenced write of the owner: new changes plus the document's new heads. */
export interface DocCommit {
  /** The committing node: the transaction proves its node lease is alive (DESIGN §7). */
  readonly nodeId: string;
  /** The placement row the owner claimed (`doc:…`): must still be this node's. */
  readonly resource: string;
  readonly ref: DocRef;
  /** The row the owner loaded; null: create the row (the document is new). */
  readonly docId: DocRowId | null;
  readonly changes: readonly StoredChange[];
  readonly heads: Heads;
}

/**
 * The owner's storage. `commit` is fenced: it commits only if `nodeId`'s node
 * lease is alive and the placement row is still its own, in the same
 * transaction; otherwise it throws `Fenced` / `NotOwner` and changes nothing.
 * Changes already stored (same hash) are skipped; a different change with a
 * stored (actor, seq) throws ConflictingChange. A row that is gone (deleted,
 * or re-created with another id) throws DocReloaded.
 */
export interface DocLog {
  load(ref: DocRef): Promise<DocContent | null>;
  commit(commit: DocCommit): Promise<DocInfo>;
}

/** The tenant-scoped catalog. Another tenant's document is absent. */
export interface DocCatalog {
  get(ref: DocRef): Promise<DocInfo | null>;
  list(tenantId: TenantId, page: { after?: string; limit: number }): Promise<DocInfo[]>;
  delete(ref: DocRef): Promise<DocInfo | null>;
}

/** Automerge sync states per (document, remote storage id). */
export interface DocSyncStates {
  load(ref: DocRef, peerStorageId: string): Promise<Uint8Array | null>;
  /** Does nothing when the document does not exist. */
  save(ref: DocRef, peerStorageId: string, state: Uint8Array): Promise<void>;
}

/** The placement resource of a document. Tenant-qualified: ids are chosen by clients. */
export function docResource(ref: DocRef): string {
  return `doc:${ref.tenantId}/${ref.documentId}`;
}

/** Bus topic of a document's durable changes. */
export function docTopic(ref: DocRef): string {
  return `doc.${ref.tenantId}.${ref.documentId}`;
}

/** Bus topic where deletions are announced (a `DocRef`), so every node drops its loaded copy. */
export const DOCS_DELETED_TOPIC = "docs.deleted";

/** Bus topic of a document's ephemeral (presence) messages. */
export function docEphemeralTopic(ref: DocRef): string {
  return `doc-eph.${ref.tenantId}.${ref.documentId}`;
}
