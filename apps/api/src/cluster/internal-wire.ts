import { type StrataError } from "@strata/core";
import { Packr } from "msgpackr";

/** Internal node-to-node messages are msgpack: values stay binary, dates stay dates. */
export const wire = new Packr({ useRecords: false });

export const INTERNAL_CONTENT_TYPE = "application/x-strata-internal";

/** Every internal answer is 200 with one of these, so errors keep their code and retryability. */
export type InternalAnswer<T> =
  | { ok: true; result: T }
  | {
      ok: false;
      error: {
        code: string;
        status: number;
        message: string;
        retryable: boolean;
        details: Record<string, unknown>;
      };
    };

export function errorAnswer(err: StrataError): InternalAnswer<never> {
  return {
    ok: false,
    error: {
      code: err.code,
      status: err.status,
      message: err.message,
      retryable: err.retryable,
      details: err.details,
    },
  };
}
