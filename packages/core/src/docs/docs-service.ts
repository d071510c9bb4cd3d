import * as Automerge from "@automerge/automerge";
import { BUS_RESYNC, type Bus } from "../bus/bus.js";
import { type Principal } from "../tenants/api-key.js";
import { authorize } from "../tenants/key-authenticator.js";
import { type TenantId } from "../tenants/tenant.js";
import { CHUNK_TYPE, splitChunks } from "./automerge-chunks.js";
import { type DocRouter } from "./cluster-doc-router.js";
import { type AnyDoc, hasHeads, materialize, saveAsOf, storedBytes } from "./doc-content.js";
import { DocNotFound, InvalidChange, UnknownHeads } from "./docs.errors.js";
import { type DocInit, type DocListQuery } from "./docs.schemas.js";
import {
  type DocCatalog,
  type DocInfo,
  type DocLog,
  type DocSyncStates,
  docEphemeralTopic,
  DOCS_DELETED_TOPIC,
  docTopic,
} from "./doc-store.js";
import {
  DOC_RESYNC,
  type DocRef,
  type DocumentId,
  type DocumentsForSync,
  type DurableChanges,
  type EphemeralRelay,
  type Heads,
} from "./documents.js";
import { newDocumentId, parseDocumentId } from "./document-id.js";

/**
 * The documents use cases. The sync endpoint uses the `DocumentsForSync`
 * half (tenant-scoped refs, already authorized); REST uses the rest, each
 * checking the key's scope and name patterns (which apply to document ids).
 * Writes go to the document's owner; reads come from the owner's memory when
 * it is this node, else from committed state in the database.
 */
export class DocsService implements DocumentsForSync {
  constructor(
    private readonly catalog: DocCatalog,
    private readonly log: DocLog,
    private readonly router: DocRouter,
    private readonly syncStates: DocSyncStates,
    private readonly bus: Bus,
  ) {}

  // ---- DocumentsForSync ----

  /**
   * From the database even when the owner is here: its committed state is
   * the same, and saving the owner's JavaScript document would block the
   * event loop far longer than reading the rows (the bytes are stored chunks).
   */
  async load(ref: DocRef): Promise<{ bytes: Uint8Array; heads: Heads } | null> {
    const content = await this.log.load(ref);
    if (!content) return null;
    return { bytes: storedBytes(content), heads: content.info.heads };
  }

  applyChanges(
    ref: DocRef,
    changes: readonly Uint8Array[],
    opts: { readonly create: boolean },
  ): Promise<{ heads: Heads }> {
    return this.router.applyChanges(ref, changes, opts);
  }

  watch(
    ref: DocRef,
    listener: (event: DurableChanges | typeof DOC_RESYNC) => void,
  ): Promise<() => void> {
    return this.bus.subscribe(docTopic(ref), (event) =>
      listener(event === BUS_RESYNC ? DOC_RESYNC : (event as DurableChanges)),
    );
  }

  loadSyncState(ref: DocRef, peerStorageId: string): Promise<Uint8Array | null> {
    return this.syncStates.load(ref, peerStorageId);
  }

  saveSyncState(ref: DocRef, peerStorageId: string, state: Uint8Array): Promise<void> {
    return this.syncStates.save(ref, peerStorageId, state);
  }

  publishEphemeral(ref: DocRef, message: EphemeralRelay): void {
    this.bus.publish(docEphemeralTopic(ref), message);
  }

  watchEphemeral(ref: DocRef, listener: (message: EphemeralRelay) => void): Promise<() => void> {
    return this.bus.subscribe(docEphemeralTopic(ref), (event) => {
      if (event !== BUS_RESYNC) listener(event as EphemeralRelay);
    });
  }

  // ---- REST ----

  /** Creates a document (empty, from JSON, or from a saved document / changes). */
  async create(p: Principal, init: DocInit): Promise<{ documentId: DocumentId; heads: Heads }> {
    const documentId = newDocumentId();
    authorize(p, "docs:write", documentId);
    const changes =
      init.kind === "empty"
        ? []
        : init.kind === "json"
          ? Automerge.getAllChanges(Automerge.from(init.value))
          : changesFromBody(init.bytes);
    const ref = { tenantId: p.tenant.id, documentId };
    const { heads } = await this.router.applyChanges(ref, changes, { create: true });
    return { documentId, heads };
  }

  async list(p: Principal, q: DocListQuery): Promise<DocInfo[]> {
    authorize(p, "docs:read");
    const docs = await this.catalog.list(p.tenant.id, q);
    return docs.filter((d) => allowed(p, d.documentId));
  }

  async info(p: Principal, id: string): Promise<DocInfo> {
    const ref = this.ref(p, id, "docs:read");
    const info = await this.catalog.get(ref);
    if (!info) throw new DocNotFound(ref.documentId);
    return info;
  }

  /** The JSON view, now or (with `heads`) as of a past version. */
  view(p: Principal, id: string, heads: Heads | undefined): Promise<unknown> {
    return this.withDoc(this.ref(p, id, "docs:read"), (doc) => {
      if (!heads || heads.length === 0) return Automerge.toJS(doc);
      if (!hasHeads(doc, heads)) throw new UnknownHeads(heads);
      return Automerge.toJS(Automerge.view(doc, [...heads]));
    });
  }

  /** `Automerge.save` of the durable document. */
  save(p: Principal, id: string): Promise<{ bytes: Uint8Array; heads: Heads }> {
    return this.withDoc(this.ref(p, id, "docs:read"), (doc, heads) => ({
      bytes: Automerge.save(doc),
      heads,
    }));
  }

  /** `Automerge.save` of the document as of `heads` (a past version): only the changes up to them. */
  saveAt(p: Principal, id: string, heads: Heads): Promise<{ bytes: Uint8Array; heads: Heads }> {
    return this.withDoc(this.ref(p, id, "docs:read"), (doc) => {
      if (!hasHeads(doc, heads)) throw new UnknownHeads(heads);
      return { bytes: saveAsOf(doc, heads), heads };
    });
  }

  heads(p: Principal, id: string): Promise<Heads> {
    return this.withDoc(this.ref(p, id, "docs:read"), (_doc, heads) => heads);
  }

  /** Changes after `since` (empty: all), in causal order, and the heads they lead to. */
  changesSince(
    p: Principal,
    id: string,
    since: Heads,
  ): Promise<{ changes: Uint8Array[]; heads: Heads }> {
    return this.withDoc(this.ref(p, id, "docs:read"), (doc, heads) => {
      if (!hasHeads(doc, since)) throw new UnknownHeads(since);
      const base = since.length === 0 ? Automerge.init() : Automerge.view(doc, [...since]);
      return { changes: Automerge.getChanges(base, doc), heads };
    });
  }

  /** Applies binary changes (concatenated change chunks, or a saved document). */
  applyBody(p: Principal, id: string, body: Uint8Array): Promise<{ heads: Heads }> {
    const ref = this.ref(p, id, "docs:write");
    return this.router.applyChanges(ref, changesFromBody(body), { create: false });
  }

  async delete(p: Principal, id: string): Promise<void> {
    const ref = this.ref(p, id, "docs:write");
    const gone = await this.catalog.delete(ref);
    if (!gone) throw new DocNotFound(ref.documentId);
    this.router.forget(ref);
    this.bus.publish(DOCS_DELETED_TOPIC, ref);
  }

  /** Whether every change in `heads` is durable here (automerge-repo issue #337), and the durable heads. */
  syncStatus(p: Principal, id: string, heads: Heads): Promise<{ durable: boolean; heads: Heads }> {
    return this.withDoc(this.ref(p, id, "docs:read"), (doc, current) => ({
      durable: hasHeads(doc, heads),
      heads: current,
    }));
  }

  private ref(p: Principal, id: string, scope: "docs:read" | "docs:write"): DocRef {
    const documentId = parseDocumentId(id);
    authorize(p, scope, documentId);
    return { tenantId: p.tenant.id as TenantId, documentId };
  }

  /** Runs `fn` on the durable document: the owner's copy if it is here, else rebuilt from storage. */
  private async withDoc<T>(ref: DocRef, fn: (doc: AnyDoc, heads: Heads) => T): Promise<T> {
    const here = await this.router.readLoaded(ref, (doc, heads) => ({ value: fn(doc, heads) }));
    // Deleted through another node: the owner's copy lives until the bus tells it.
    if (here && (await this.catalog.get(ref))) return here.value;
    const content = await this.log.load(ref);
    if (!content) throw new DocNotFound(ref.documentId);
    const { doc } = materialize(content);
    return fn(doc, Automerge.getHeads(doc).sort());
  }
}

/**
 * The changes in a request body: concatenated change chunks as they are, or
 * — when it holds a saved document — every change of that document.
 */
export function changesFromBody(body: Uint8Array): Uint8Array[] {
  const chunks = splitChunks(body);
  if (!chunks.some((c) => c.type === CHUNK_TYPE.document)) return chunks.map((c) => c.bytes);
  try {
    return Automerge.getAllChanges(Automerge.load(body));
  } catch (err) {
    throw new InvalidChange(null, (err as Error).message || "not a saved Automerge document");
  }
}

function allowed(p: Principal, documentId: string): boolean {
  try {
    authorize(p, "docs:read", documentId);
    return true;
  } catch {
    return false;
  }
}
