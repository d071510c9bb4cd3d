import { NotFound, StrataError } from "../errors.js";

export class DocNotFound extends NotFound {
  constructor(documentId: string) {
    super("document", documentId);
  }
}

/** Bytes that are not Automerge changes (or a saved document): nothing of the request was stored. */
export class InvalidChange extends StrataError {
  readonly code = "invalid_change";
  readonly status = 400;
  constructor(index: number | null, reason: string) {
    super(
      index === null
        ? `The body is not Automerge data: ${reason}. Nothing was stored.`
        : `Change ${index} does not decode as an Automerge change: ${reason}. Nothing was stored.`,
    );
    if (index !== null) this.details.change_index = index;
  }
}

/** A change with the (actor, seq) of a stored change but another hash: never stored. */
export class ConflictingChange extends StrataError {
  readonly code = "conflicting_change";
  readonly status = 409;
  constructor(actor: string, seq: number) {
    super(
      `A different change with actor ${actor} and seq ${seq} is already stored. Nothing was stored.`,
    );
    this.details.actor = actor;
    this.details.seq = seq;
  }
}

/** The document would grow past its size limit: nothing of the request was stored. */
export class DocTooLarge extends StrataError {
  readonly code = "document_too_large";
  readonly status = 413;
  constructor(documentId: string, limitBytes: number, wouldBe: number) {
    super(
      `Document '${documentId}' would grow to ${wouldBe} bytes, over its limit of ${limitBytes} bytes. Nothing was stored.`,
    );
    this.details.limit_bytes = limitBytes;
    this.details.would_be_bytes = wouldBe;
  }
}

/** `?heads=` names a change the document does not have. */
export class UnknownHeads extends StrataError {
  readonly code = "unknown_heads";
  readonly status = 404;
  constructor(readonly heads: readonly string[]) {
    super(`The document has no change with hash ${heads.join(", ")}.`);
    this.details.heads = heads;
  }
}

/** The document's memory state was dropped mid-operation (reloaded or deleted): retry. */
export class DocReloaded extends StrataError {
  readonly code = "document_reloaded";
  readonly status = 503;
  override readonly retryable = true;
  constructor(documentId: string) {
    super(`Document '${documentId}' was reloaded while the request waited; retry.`);
  }
}
