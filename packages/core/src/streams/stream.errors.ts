import { Conflict, NotFound, PayloadTooLarge, StrataError } from "../errors.js";

export class StreamNotFound extends NotFound {
  constructor(name: string) {
    super("stream", name);
  }
}

export class MessageNotFound extends NotFound {
  constructor(stream: string, seq: number) {
    super("message", `${stream}/${seq}`);
  }
}

export class ConsumerNotFound extends NotFound {
  constructor(stream: string, consumer: string) {
    super("consumer", `${stream}/${consumer}`);
  }
}

export class StreamExists extends Conflict {
  override readonly code = "stream_exists";
}

/** `Strata-Expected-Last-Seq` did not match. */
export class WrongLastSeq extends Conflict {
  override readonly code = "wrong_last_seq";
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Expected the stream's last seq to be ${expected}, but it is ${actual}.`);
    this.details.expected_last_seq = expected;
    this.details.last_seq = actual;
  }
}

/** `discard: new` and the stream is at a limit. */
export class StreamFull extends Conflict {
  override readonly code = "stream_full";
  constructor(limit: "max_messages" | "max_bytes", value: number) {
    super(`The stream is full (${limit} = ${value}) and its discard policy is 'new'.`);
    this.details.limit = limit;
    this.details.value = value;
  }
}

export class MessageTooLarge extends PayloadTooLarge {
  constructor(limit: number) {
    super(limit, "The message");
  }
}

/**
 * This node's lease is gone: it may not write, and the request may be
 * retried (the resource gets a new owner).
 */
export class Fenced extends StrataError {
  readonly code = "fenced";
  readonly status = 503;
  override readonly retryable = true;
  constructor(nodeId: string) {
    super(`Node ${nodeId} has lost its lease and stepped down; retry the request.`);
  }
}

/** A batch could not be committed (database trouble, or an earlier batch failed); safe to retry. */
export class CommitFailed extends StrataError {
  readonly code = "commit_failed";
  readonly status = 503;
  override readonly retryable = true;
}

/**
 * The database refused this message's data although it passed validation
 * (nothing of it was stored); the same request would fail again.
 */
export class MessageRejected extends StrataError {
  readonly code = "message_rejected";
  readonly status = 400;
}
