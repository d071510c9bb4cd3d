import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { CHUNK_TYPE, concatBytes, splitChunks } from "../automerge-chunks.js";

/**
 * Automerge's wasm document and sync state, without the JavaScript document
 * layer. The sync endpoint never reads a document's values: it only merges
 * changes and runs the sync protocol, so materializing every document as a
 * tree of JavaScript objects (what `Automerge.load` does) would only cost
 * memory and load time. The public entry point does not export the wasm
 * bindings, so they are required from the package's own files (the same
 * module instance the entry point uses; pinned version, see the spec).
 */
export interface RawDoc {
  getHeads(): string[];
  applyChanges(changes: Uint8Array[]): void;
  loadIncremental(data: Uint8Array): number;
  /** Changes of `other` that this document does not have. */
  getChangesAdded(other: RawDoc): Uint8Array[];
  getChanges(haveDeps: string[]): Uint8Array[];
  getChangeMetaByHash(hash: string): unknown;
  getMissingDeps(heads?: string[]): string[];
  generateSyncMessage(state: RawSyncState): Uint8Array | null;
  receiveSyncMessage(state: RawSyncState, message: Uint8Array): void;
  save(): Uint8Array;
  free(): void;
}

export interface RawSyncState {
  readonly sharedHeads: string[];
  /** The heads Automerge believes the peer was last told (settable on the wasm state). */
  lastSentHeads: string[];
  free(): void;
}

export interface DecodedSyncMessage {
  heads: string[];
  need: string[];
  have: { lastSync: string[]; bloom: Uint8Array }[];
  changes: Uint8Array[];
  [more: string]: unknown;
}

interface WasmBindings {
  create(options: { actor?: string }): RawDoc;
  load(data: Uint8Array, options: Record<string, unknown>): RawDoc;
  initSyncState(): RawSyncState;
  encodeSyncState(state: RawSyncState): Uint8Array;
  decodeSyncState(data: Uint8Array): RawSyncState;
  decodeSyncMessage(message: Uint8Array): DecodedSyncMessage;
  encodeSyncMessage(message: DecodedSyncMessage): Uint8Array;
  decodeChange(change: Uint8Array): { hash: string; deps: string[]; actor: string; seq: number };
}

const require = createRequire(import.meta.url);
const packageDist = dirname(require.resolve("@automerge/automerge/automerge.wasm"));
const wasm = require(
  join(packageDist, "mjs/wasm_bindgen_output/nodejs/automerge_wasm.cjs"),
) as WasmBindings;

export function createRawDoc(): RawDoc {
  return wasm.create({});
}

/** Loads `Automerge.save` output (or any concatenation of chunks). */
export function loadRawDoc(
  bytes: Uint8Array,
  options: { allowMissingDeps?: boolean } = {},
): RawDoc {
  return wasm.load(bytes, options);
}

/** Bytes of changes applied per wasm call by `loadRawDocYielding`. */
const APPLY_BATCH_BYTES = 1024 * 1024;

/**
 * `loadRawDoc` in steps, yielding to the event loop between them, so other
 * work of the node runs while a large document loads: the document chunks
 * (a snapshot) in one wasm call — that call is the floor — then the change
 * chunks stored after it in batches of about 1 MiB.
 */
export async function loadRawDocYielding(bytes: Uint8Array): Promise<RawDoc> {
  const chunks = splitChunks(bytes);
  const rest = chunks[0]?.type === CHUNK_TYPE.document ? chunks.slice(1) : chunks;
  // Several snapshots in one input is not what storage hands out: load it in one go.
  if (rest.some((c) => c.type === CHUNK_TYPE.document)) return loadRawDoc(bytes);
  const doc = rest === chunks ? createRawDoc() : loadRawDoc(chunks[0]!.bytes);
  try {
    for (let i = 0; i < rest.length;) {
      const batch: Uint8Array[] = [];
      for (let size = 0; i < rest.length && size < APPLY_BATCH_BYTES; i++) {
        batch.push(rest[i]!.bytes);
        size += rest[i]!.bytes.byteLength;
      }
      await yieldToEventLoop();
      doc.loadIncremental(concatBytes(batch));
    }
    return doc;
  } catch (err) {
    doc.free();
    throw err;
  }
}

export function initSyncState(): RawSyncState {
  return wasm.initSyncState();
}

/** Only the shared heads survive encoding: what a reconnecting peer needs. */
export function encodeSyncState(state: RawSyncState): Uint8Array {
  return wasm.encodeSyncState(state);
}

export function decodeSyncState(bytes: Uint8Array): RawSyncState {
  return wasm.decodeSyncState(bytes);
}

export function decodeSyncMessage(message: Uint8Array): DecodedSyncMessage {
  return wasm.decodeSyncMessage(message);
}

export function encodeSyncMessage(message: DecodedSyncMessage): Uint8Array {
  return wasm.encodeSyncMessage(message);
}

/**
 * A change's hash. For an uncompressed change chunk it is the SHA-256 of the chunk from its
 * type byte on (the header's checksum is its first 4 bytes, checked here): computing it takes
 * microseconds, where `decodeChange` decodes every operation into JavaScript objects (most of
 * the cost of filtering a busy peer's changes). Anything else goes through `decodeChange`.
 */
export function changeHash(change: Uint8Array): string {
  if (change.byteLength > 9 && change[8] === CHUNK_TYPE.change) {
    const hash = createHash("sha256").update(change.subarray(8)).digest();
    if (hash.subarray(0, 4).equals(change.subarray(4, 8))) return hash.toString("hex");
  }
  return wasm.decodeChange(change).hash;
}
