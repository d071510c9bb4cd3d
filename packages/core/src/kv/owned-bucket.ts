import { type FailedCompare, PreconditionFailed } from "./kv.errors.js";
import { type BucketId, type BucketRef, type KvCompare, type KvConfig } from "./kv.js";
import { type KvCommittedBucket, type LoadedBucket, type StoredKey } from "./kv-store.js";

/** Live counters of a loaded bucket, accepted but uncommitted writes included. */
export interface KvPeek {
  readonly lastRevision: number;
  readonly compactedRevision: number;
  readonly keys: number;
  readonly bytes: number;
}

/** A key as the owner knows it: committed, or written by an accepted, uncommitted change. */
export interface KeyState {
  /** 0 when the key does not exist. */
  readonly revision: number;
  readonly value: Uint8Array | null;
  /** Epoch ms; null for no expiry. */
  readonly expiresAt: number | null;
  /** Value bytes the stored row occupies once committed (0 when absent). */
  readonly storedBytes: number;
  /** Accepted changes to the key that are not committed yet. */
  pending: number;
}

const ABSENT = { revision: 0, value: null, expiresAt: null, storedBytes: 0 } as const;

/**
 * The owner's in-memory view of one bucket: the next revision, counters
 * including accepted but uncommitted writes, and the current state of the
 * keys it has recently written or looked at.
 *
 * `known` is authoritative for every key in it: a key enters it when it is
 * loaded or written and leaves only when nothing of it is pending and no
 * request waits on it (pinned). A load therefore fills in only keys that are
 * still unknown when it returns: anything written meanwhile is newer.
 */
export class OwnedBucket {
  lastRevision: number;
  compactedRevision: number;
  keys: number;
  committedBytes: number;
  /** Bytes that accepted, uncommitted writes add (an upper bound when a key's old size is unknown). */
  pendingBytes = 0;
  lastUsed: number;
  readonly known = new Map<string, KeyState>();
  private readonly pins = new Map<string, number>();

  readonly id: BucketId;
  readonly tenantId: string;
  readonly name: string;
  config: KvConfig;

  constructor(ref: BucketRef, loaded: LoadedBucket, now: number) {
    this.id = ref.id;
    this.tenantId = ref.tenantId;
    this.name = ref.name;
    this.config = ref.config;
    this.lastRevision = loaded.lastRevision;
    this.compactedRevision = loaded.compactedRevision;
    this.keys = loaded.keys;
    this.committedBytes = loaded.bytes;
    this.lastUsed = now;
  }

  get bytes(): number {
    return this.committedBytes + this.pendingBytes;
  }

  /** Keys whose state is not in memory. */
  unknown(keys: readonly string[]): string[] {
    return keys.filter((k) => !this.known.has(k));
  }

  /** Keeps these keys in memory until `unpin` (a request is about to decide on them). */
  pin(keys: readonly string[]): void {
    for (const k of keys) this.pins.set(k, (this.pins.get(k) ?? 0) + 1);
  }

  unpin(keys: readonly string[]): void {
    for (const k of keys) {
      const n = (this.pins.get(k) ?? 1) - 1;
      if (n > 0) this.pins.set(k, n);
      else this.pins.delete(k);
    }
  }

  /** Takes loaded rows for keys that are still unknown (absent ones included). */
  fill(keys: readonly string[], stored: ReadonlyMap<string, StoredKey>): void {
    for (const k of keys) {
      if (this.known.has(k)) continue;
      const row = stored.get(k);
      this.known.set(
        k,
        row
          ? {
              revision: row.revision,
              value: row.value,
              expiresAt: row.expiresAt?.getTime() ?? null,
              storedBytes: row.value.byteLength,
              pending: 0,
            }
          : { ...ABSENT, pending: 0 },
      );
    }
  }

  get ref(): BucketRef {
    return { id: this.id, tenantId: this.tenantId, name: this.name, config: this.config };
  }

  /** The key's state, if known. */
  state(key: string): KeyState | undefined {
    return this.known.get(key);
  }

  /** Whether the key exists now: written, not deleted, not expired. */
  static live(s: KeyState | undefined, now: number): s is KeyState {
    return !!s && s.revision > 0 && (s.expiresAt === null || s.expiresAt > now);
  }

  /** Records an accepted change; returns the bytes it adds (an estimate when the old size is unknown). */
  apply(
    key: string,
    next: { revision: number; value: Uint8Array | null; expiresAt: number | null },
  ): number {
    const prev = this.known.get(key);
    const storedBytes = next.revision === 0 ? 0 : (next.value?.byteLength ?? 0);
    this.known.delete(key);
    const { revision, value, expiresAt } = next;
    this.known.set(key, {
      revision,
      value,
      expiresAt,
      storedBytes,
      pending: (prev?.pending ?? 0) + 1,
    });
    const delta = storedBytes - (prev?.storedBytes ?? 0);
    this.pendingBytes += delta;
    return delta;
  }

  /** A touch: same revision and value, new expiry. */
  retime(key: string, expiresAt: number | null): void {
    const prev = this.known.get(key)!;
    this.known.delete(key);
    this.known.set(key, { ...prev, expiresAt, pending: prev.pending + 1 });
  }

  /** These changes are committed. */
  settle(changes: readonly { key: string }[], bytesDelta: number): void {
    this.pendingBytes -= bytesDelta;
    for (const c of changes) {
      const s = this.known.get(c.key);
      if (s && s.pending > 0) s.pending--;
    }
  }

  /** A transaction committed: the database's counters after it. */
  committed(c: KvCommittedBucket): void {
    this.keys = c.keys;
    this.committedBytes = c.bytes;
    this.compactedRevision = Math.max(this.compactedRevision, c.compactedRevision);
  }

  peek(): KvPeek {
    const { lastRevision, compactedRevision, keys, bytes } = this;
    return { lastRevision, compactedRevision, keys, bytes };
  }

  /** Forgets the oldest settled, unpinned keys until at most `max` remain. */
  evict(max: number): void {
    if (this.known.size <= max) return;
    for (const [k, s] of this.known) {
      if (this.known.size <= max) return;
      if (s.pending === 0 && !this.pins.has(k)) this.known.delete(k);
    }
  }

  /** Throws PreconditionFailed unless every compare holds now. */
  require(compares: readonly KvCompare[], now: number, txn: boolean): void {
    const failed = compares.flatMap((c, i) => this.check(c, i, now) ?? []);
    if (failed.length > 0) throw new PreconditionFailed(failed, txn);
  }

  /** Checks one condition against the key's current state; null when it holds. */
  check(c: KvCompare, index: number, now: number): FailedCompare | null {
    const s = this.known.get(c.key);
    const live = OwnedBucket.live(s, now);
    const revision = live ? s.revision : 0;
    const ok =
      (c.revision === undefined || c.revision === revision) &&
      (c.exists === undefined || c.exists === live) &&
      (c.value === undefined || (live && s.value !== null && sameBytes(s.value, c.value)));
    return ok ? null : { index, key: c.key, currentRevision: live ? revision : null };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
