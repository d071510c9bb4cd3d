import { StrataError } from "../errors.js";

/** An error another node answered with, carried back with its code, status and retryability. */
export class RemoteError extends StrataError {
  readonly code: string;
  readonly status: number;
  override readonly retryable: boolean;

  constructor(e: {
    code: string;
    status: number;
    message: string;
    retryable: boolean;
    details?: Record<string, unknown>;
  }) {
    super(e.message);
    this.code = e.code;
    this.status = e.status;
    this.retryable = e.retryable;
    Object.assign(this.details, e.details ?? {});
  }
}
