import {
  type FieldIssue,
  type FrameId,
  frameIdSchema,
  MAX_LISTED_ISSUES,
  type ServerFrame,
  StrataError,
  type SubId,
  subIdSchema,
  TooManyRequests,
  type WireKvError,
} from "@strata/core";
import { asStrataError, toProblem } from "../http/problem.js";

/** A frame that could not be decoded or failed its schema; the connection stays open. */
export class MalformedFrame extends StrataError {
  readonly code = "malformed_frame";
  readonly status = 400;
  constructor(readonly issues: readonly FieldIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(first ? `${first.path || "frame"}: ${first.message}${more}` : "The frame is not valid.");
    this.details.errors = issues.slice(0, MAX_LISTED_ISSUES);
  }
}

/** Too many appends (or other requests) outstanding on this connection: wait for answers, then retry. */
export class TooManyInFlight extends StrataError {
  readonly code = "too_many_in_flight";
  readonly status = 429;
  override readonly retryable = true;
  constructor(what: string, limit: number) {
    super(`At most ${limit} ${what} may be outstanding on one connection; wait for answers.`);
    this.details.limit = limit;
  }
}

export class TooManySubscriptions extends StrataError {
  readonly code = "too_many_subscriptions";
  readonly status = 429;
  constructor(limit: number) {
    super(`A connection may hold at most ${limit} subscriptions.`);
    this.details.limit = limit;
  }
}

export class SubscriptionExists extends StrataError {
  readonly code = "subscription_exists";
  readonly status = 409;
  constructor(sub: SubId) {
    super(`Subscription ${JSON.stringify(sub)} is already active on this connection.`);
  }
}

/** Reading a subscription's backlog failed (database trouble); subscribing again may work. */
export class SubscriptionFailed extends StrataError {
  readonly code = "subscription_failed";
  readonly status = 503;
  override readonly retryable = true;
}

/** The same mapping as HTTP problems (code, status, detail), as an `error` frame. */
export function errorFrame(err: unknown, ref: { id?: FrameId; sub?: SubId }): ServerFrame {
  const problem = toProblem(err);
  const normalized = asStrataError(err);
  const strata = normalized instanceof StrataError ? normalized : undefined;
  const details = strata && Object.keys(strata.details).length > 0 ? strata.details : undefined;
  return {
    type: "error",
    ...(ref.id !== undefined ? { id: ref.id } : {}),
    ...(ref.sub !== undefined ? { sub: ref.sub } : {}),
    code: problem.code,
    status: problem.status,
    message: problem.detail,
    retryable: strata?.retryable ?? false,
    // What REST says with Retry-After: when the same request may succeed.
    ...(strata instanceof TooManyRequests ? { retry_after_ms: strata.retryAfterMs } : {}),
    ...(details ? { details } : {}),
  };
}

/**
 * One failure among several answers (a batch entry, here or forwarded from
 * another node): the code, status and details an `error` frame would carry.
 */
export function wireError(err: Error): WireKvError {
  const f = errorFrame(err, {}) as Extract<ServerFrame, { type: "error" }>;
  return {
    code: f.code,
    status: f.status,
    message: f.message,
    retryable: f.retryable,
    ...(f.details ? { details: f.details } : {}),
  };
}

/** What an `error` frame answers: the frame's `id` and `sub`. */
export interface FrameRef {
  id?: FrameId;
  sub?: SubId;
}

/** The frame's `id` and `sub`, when they are usable, for the error that answers it. */
export function frameRef(raw: unknown): FrameRef {
  if (typeof raw !== "object" || raw === null) return {};
  const { id, sub } = raw as { id?: unknown; sub?: unknown };
  const okId = frameIdSchema.safeParse(id);
  const okSub = subIdSchema.safeParse(sub);
  return {
    ...(okId.success ? { id: okId.data } : {}),
    ...(okSub.success ? { sub: okSub.data } : {}),
  };
}
