import * as Automerge from "@automerge/automerge";
import { type Heads } from "../docs/documents.js";
import { type KvDoc, valueBytes } from "./crdt-bucket.js";

/** Told when the mirror took in durable changes, or (with the reason) that it is gone. */
export type MirrorListener = (ended?: Error) => void;

/**
 * A node's copy of a crdt bucket's document holding durable changes only
 * (loaded from storage, then the owner's published changes, then this node's
 * own acknowledged changes): what readers and watches see. Its revision is
 * the document's change count — a function of the set of changes, so it
 * only grows and means the same on every node.
 */
export class BucketMirror {
  private sorted: string[] | undefined;
  private readonly listeners = new Set<MirrorListener>();

  constructor(private doc: KvDoc) {}

  /** The bucket's revision: how many changes the document's history holds. */
  get revision(): number {
    return Automerge.stats(this.doc).numChanges;
  }

  get heads(): Heads {
    return Automerge.getHeads(this.doc);
  }

  has(heads: Heads): boolean {
    return Automerge.hasHeads(this.doc, [...heads]);
  }

  /** Durable changes (in any order; those missing deps wait inside the document). */
  apply(changes: readonly Uint8Array[]): void {
    const before = this.heads;
    [this.doc] = Automerge.applyChanges(this.doc, [...changes]);
    this.advanced(before);
  }

  /** A saved durable document (a catch-up from storage). */
  merge(saved: Uint8Array): void {
    const before = this.heads;
    this.doc = Automerge.merge(this.doc, Automerge.load(saved));
    this.advanced(before);
  }

  /** A writable copy with its own actor, for making changes. */
  fork(): KvDoc {
    return Automerge.clone(this.doc);
  }

  /** Brings `copy` up to this mirror's state. */
  mergeInto(copy: KvDoc): KvDoc {
    return Automerge.merge(copy, this.doc);
  }

  get(key: string): Uint8Array | undefined {
    if (!Object.prototype.hasOwnProperty.call(this.doc, key)) return undefined;
    const value = this.doc[key];
    return value === undefined || value === null ? undefined : valueBytes(value);
  }

  /** Every key, in bytewise (UTF-8, i.e. code point) order, like standard buckets list them. */
  keys(): readonly string[] {
    this.sorted ??= Object.keys(this.doc).sort(byCodePoint);
    return this.sorted;
  }

  /** Keys changed between `since` (empty: the empty document) and now, in key order. */
  changedSince(since: Heads): string[] {
    const keys = new Set<string>();
    for (const patch of Automerge.diff(this.doc, [...since], [...this.heads])) {
      const key = patch.path[0];
      if (key !== undefined) keys.add(String(key));
    }
    return [...keys].sort(byCodePoint);
  }

  listen(listener: MirrorListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get watched(): boolean {
    return this.listeners.size > 0;
  }

  /** The bucket is gone (deleted): tells every listener, once. */
  end(reason: Error): void {
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const l of listeners) l(reason);
  }

  private advanced(before: Heads): void {
    const after = this.heads;
    if (after.length === before.length && after.every((h) => before.includes(h))) return;
    this.sorted = undefined;
    for (const l of [...this.listeners]) l();
  }
}

/** UTF-16 order with surrogates moved above U+E000–U+FFFF: code point order, without encoding. */
export function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return shift(x) - shift(y);
  }
  return a.length - b.length;
}

const shift = (c: number) =>
  c >= 0xd800 && c <= 0xdfff ? c + 0x2000 : c >= 0xe000 ? c - 0x800 : c;
