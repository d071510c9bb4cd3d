import { type HttpClient } from "../lib/http.js";
import { closedLoop, fixedRate, type LoadResult, type LoadWindow } from "../lib/load.js";
import { payload } from "./setup.js";

const enc = encodeURIComponent;

/** Runs `work` over `items` with `concurrency` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let i = 0;
  const worker = async () => {
    while (i < items.length) await work(items[i++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** `PUT /v1/streams/{name}` with `{}` for each name. */
export async function createStreams(http: HttpClient, names: readonly string[]): Promise<void> {
  await eachLimited(names, 16, (n) => http.json("PUT", `/v1/streams/${enc(n)}`, {}));
}

/** One append per stream, so leases are claimed and state loaded before anything is timed. */
export async function primeStreams(http: HttpClient, names: readonly string[]): Promise<void> {
  const body = { messages: [{ value_text: "prime" }] };
  await eachLimited(names, 16, (n) => http.json("POST", `/v1/streams/${enc(n)}/messages`, body));
}

export interface RestCase extends LoadWindow {
  readonly http: HttpClient;
  readonly names: readonly string[];
  readonly size: number;
}

function appendPaths(names: readonly string[]): string[] {
  return names.map((n) => `/v1/streams/${enc(n)}/messages`);
}

/** `POST …/messages` with `{messages: [{value_base64}…]}` batches, `inFlight` requests at a time. */
export function restBatches(
  c: RestCase & { batch: number; inFlight: number },
): Promise<LoadResult> {
  const one = { value_base64: payload(c.size).toString("base64") };
  const body = Buffer.from(
    JSON.stringify({ messages: Array.from({ length: c.batch }, () => one) }),
  );
  const paths = appendPaths(c.names);
  let turn = 0;
  return closedLoop({
    ...c,
    op: (done) =>
      c.http.request("POST", paths[turn++ % paths.length]!, body, undefined, (err, status, res) => {
        if (err) return done(err);
        if (status !== 201)
          return done(new Error(`HTTP ${status}: ${res.toString().slice(0, 200)}`));
        done(null, c.batch, c.batch * c.size);
      }),
  });
}

function singleOp(c: RestCase) {
  const body = payload(c.size);
  const paths = appendPaths(c.names);
  let turn = 0;
  return (done: (err: unknown, msgs?: number, bytes?: number) => void) =>
    c.http.request(
      "POST",
      paths[turn++ % paths.length]!,
      body,
      "application/octet-stream",
      (err, status, res) => {
        if (err) return done(err);
        if (status !== 201)
          return done(new Error(`HTTP ${status}: ${res.toString().slice(0, 200)}`));
        done(null, 1, c.size);
      },
    );
}

/** Single-message raw-body POSTs, `inFlight` requests at a time (throughput). */
export function restSingles(c: RestCase & { inFlight: number }): Promise<LoadResult> {
  return closedLoop({ ...c, op: singleOp(c) });
}

/** Single-message raw-body POSTs at a fixed rate (latency per request). */
export function restSingleAtRate(c: RestCase & { rate: number }): Promise<LoadResult> {
  return fixedRate({ ...c, maxInFlight: 2000, op: singleOp(c) });
}
