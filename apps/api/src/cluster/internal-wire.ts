import { type ClusterNode, RemoteError, StrataError } from "@strata/core";
import { type FastifyReply } from "fastify";
import { CLUSTER_SECRET_HEADER } from "./cluster-secret.js";
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

const TIMEOUT_MS = 10_000;

/**
 * Sends one internal request to `to` and returns its result, or throws the
 * error the other node answered with. `unreachable` makes the error for a
 * request that got no answer (each caller decides what is safe to retry).
 */
export async function callNode<T>(
  to: ClusterNode,
  path: string,
  body: unknown,
  secret: string,
  unreachable: (err: unknown, message: string) => StrataError,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${to.address}${path}`, {
      method: "POST",
      headers: { "content-type": INTERNAL_CONTENT_TYPE, [CLUSTER_SECRET_HEADER]: secret },
      body: wire.pack(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw unreachable(err, `Node ${to.id} did not answer: ${(err as Error).message}`);
  }
  if (res.status !== 200) {
    // 401 means the nodes disagree on the cluster secret: a configuration error, not worth retrying.
    const retryable = res.status >= 500;
    throw new RemoteError({
      code: retryable ? "forward_failed" : "cluster_misconfigured",
      status: retryable ? 503 : 500,
      message: `Node ${to.id} answered ${res.status} to ${path}.`,
      retryable,
    });
  }
  const answer = wire.unpack(Buffer.from(await res.arrayBuffer())) as InternalAnswer<T>;
  if (answer.ok) return answer.result;
  throw new RemoteError(answer.error);
}

/** Runs a forwarded operation and packs its result or its typed error as an InternalAnswer. */
export async function answerNode<T>(reply: FastifyReply, op: () => Promise<T>): Promise<Buffer> {
  let answer: InternalAnswer<T>;
  try {
    answer = { ok: true, result: await op() };
  } catch (err) {
    if (!(err instanceof StrataError)) throw err;
    answer = errorAnswer(err);
  }
  void reply.header("content-type", INTERNAL_CONTENT_TYPE);
  return wire.pack(answer);
}
