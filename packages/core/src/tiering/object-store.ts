/** One stored object as a listing shows it. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

/**
 * Where cold data lives: a flat key space of immutable objects (S3, or a
 * local directory in the embedded default). Keys are `/`-separated paths of
 * `[A-Za-z0-9._-]` segments. A `put` is all-or-nothing: a reader sees the
 * whole object or none. Nothing is ever overwritten in place by Strata (each
 * write gets a fresh key), so no read-after-overwrite question arises.
 */
export interface ObjectStore {
  /** Stores `body` under `key`, replacing any object there. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes; throws `ObjectNotFound` when there is none. */
  get(key: string): Promise<Uint8Array>;
  /** Size and time of the object, or null when there is none. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
}

/** The object an index points to is not in the store. */
export class ObjectNotFound extends Error {
  constructor(readonly key: string) {
    super(`object '${key}' is missing from the object store`);
    this.name = "ObjectNotFound";
  }
}

/** The object is there but its bytes do not match what was recorded (checksum, framing). */
export class ObjectCorrupt extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`object '${key}' is corrupt: ${reason}`);
    this.name = "ObjectCorrupt";
  }
}

const KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Throws unless `key` is a safe object key (no `..`, no empty segments, no leading `/`). */
export function assertObjectKey(key: string): void {
  if (!KEY.test(key) || key.split("/").some((s) => s === "." || s === "..")) {
    throw new Error(`not a valid object key: '${key}'`);
  }
}
