// Strata KV over `/v1/ws` for the `kv` suite: pipelined `kv.put` / `kv.get`
// frames (msgpack) on a few connections, answers matched by id from the
// coalesced `kv.acks` / `kv.entries` frames.
import { Packr } from "msgpackr";
import WebSocket from "ws";
import { type Done } from "../lib/load.js";
import { payload } from "../streams/setup.js";
import { KV_KEYS, KV_SIZE, type KvTarget, randomKeys } from "./kv-peers.js";

const SUBPROTOCOL = "strata.v1.msgpack";
const packr = new Packr({ useRecords: false });

interface Answer {
  readonly id: number;
  readonly revision?: number;
  readonly value?: Uint8Array;
  /** `kv.results` of a batch frame. */
  readonly results?: readonly { revision?: number; value?: Uint8Array; error?: { code: string } }[];
}
interface Frame {
  readonly type?: string;
  readonly id?: number;
  readonly acks?: readonly Answer[];
  readonly entries?: readonly Answer[];
  readonly results?: Answer["results"];
  readonly code?: string;
  readonly message?: string;
}
type Callback = (err: Error | null, answer?: Answer) => void;

/** The socket under a `ws` client, reached for `cork` (not public API). */
interface Corkable {
  _socket?: { cork(): void; uncork(): void };
}

/** One connection; frames sent in one tick go out corked, as one write. */
class KvSocket {
  private nextId = 1;
  private readonly pending = new Map<number, Callback>();
  private corked = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => this.onFrame(data));
    ws.on("close", () => this.failAll(new Error("WebSocket closed")));
    ws.on("error", (err) => this.failAll(err));
  }

  static connect(baseWsUrl: string, key: string): Promise<KvSocket> {
    const url = `${baseWsUrl}/v1/ws?token=${encodeURIComponent(key)}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, SUBPROTOCOL, { perMessageDeflate: false });
      ws.binaryType = "nodebuffer";
      ws.once("error", reject);
      ws.once("open", () => {
        ws.removeAllListeners("error");
        resolve(new KvSocket(ws));
      });
    });
  }

  request(frame: Record<string, unknown>, cb: Callback): void {
    const id = this.nextId++;
    this.pending.set(id, cb);
    if (!this.corked) {
      const socket = (this.ws as unknown as Corkable)._socket;
      if (socket) {
        this.corked = true;
        socket.cork();
        setImmediate(() => {
          this.corked = false;
          socket.uncork();
        });
      }
    }
    this.ws.send(packr.pack({ ...frame, id }));
  }

  close(): void {
    this.ws.terminate();
  }

  private onFrame(data: Buffer): void {
    const f = packr.unpack(data) as Frame;
    for (const a of f.acks ?? f.entries ?? []) this.settle(a.id, null, a);
    // Batches of 100 B values fit one frame: one `kv.results` per request.
    if (f.type === "kv.results") this.settle(f.id!, null, f as Answer);
    if (f.type === "error" && f.id !== undefined) {
      const err = new Error(`${f.code ?? "error"}: ${f.message ?? ""}`);
      (err as Error & { code?: string }).code = f.code;
      this.settle(f.id, err);
    }
  }

  private settle(id: number, err: Error | null, answer?: Answer): void {
    const cb = this.pending.get(id);
    if (!cb) return;
    this.pending.delete(id);
    cb(err, answer);
  }

  private failAll(err: Error): void {
    for (const cb of this.pending.values()) cb(err);
    this.pending.clear();
  }
}

/** `n` connections used round-robin, the revision seen last per key, and the value written. */
async function connectAll(wsUrl: string, key: string, n: number) {
  const sockets = await Promise.all(Array.from({ length: n }, () => KvSocket.connect(wsUrl, key)));
  let next = 0;
  return {
    sockets,
    socket: () => sockets[next++ % sockets.length]!,
    revisions: Float64Array.from({ length: KV_KEYS }, (_, i) => i + 1),
    value: payload(KV_SIZE),
  };
}

/**
 * Strata over the WebSocket: `connections` sockets, operations spread over
 * them round-robin, `inFlight` outstanding in total. CAS is `kv.put` with
 * `if_revision` = the revision this client saw last for the key.
 */
export async function wsKvTarget(
  wsUrl: string,
  key: string,
  seed: () => Promise<void>,
  opts: { connections: number; inFlight: number },
): Promise<KvTarget> {
  const { sockets, socket, revisions, value } = await connectAll(wsUrl, key, opts.connections);
  const wrote = (i: number, done: Done) => (err: Error | null, a?: Answer) => {
    // A lost compare-and-swap is a correct answer, not a failure: it counts as no write.
    if (err)
      return (err as { code?: string }).code === "precondition_failed"
        ? done(null, 0, 0)
        : done(err);
    revisions[i] = Math.max(revisions[i]!, a!.revision!);
    done(null, 1, KV_SIZE);
  };
  return {
    label: `Strata WS (${opts.connections} connections)`,
    inFlight: opts.inFlight,
    seed,
    put: (i, done) =>
      socket().request({ type: "kv.put", bucket: "bench", key: `k${i}`, value }, wrote(i, done)),
    get: (i, done) =>
      socket().request({ type: "kv.get", bucket: "bench", key: `k${i}` }, (err, a) =>
        err ? done(err) : done(null, 1, a!.value!.byteLength),
      ),
    cas: (i, done) =>
      socket().request(
        { type: "kv.put", bucket: "bench", key: `k${i}`, value, if_revision: revisions[i] },
        wrote(i, done),
      ),
    close: async () => sockets.forEach((s) => s.close()),
  };
}

/**
 * Strata over the WebSocket with batch frames: each operation is a
 * `kv.put_batch` / `kv.get_batch` of `batch` random keys (the raw ceiling
 * sends 100 rows per statement too); every entry counts as one operation.
 */
export async function wsKvBatchTarget(
  wsUrl: string,
  key: string,
  seed: () => Promise<void>,
  opts: { connections: number; inFlight: number; batch: number },
): Promise<KvTarget> {
  const { sockets, socket, revisions, value } = await connectAll(wsUrl, key, opts.connections);
  // Like the raw ceiling's batches: distinct, uniformly random keys.
  const keys = () => randomKeys(opts.batch);
  const wrote = (picked: number[], done: Done) => (err: Error | null, a?: Answer) => {
    if (err) return done(err);
    let ok = 0;
    for (const [j, r] of (a!.results ?? []).entries()) {
      if (r.revision !== undefined) {
        ok++;
        revisions[picked[j]!] = Math.max(revisions[picked[j]!]!, r.revision);
      } else if (r.error?.code !== "precondition_failed") {
        return done(new Error(`entry ${j}: ${r.error?.code ?? "no answer"}`));
      }
    }
    // A lost compare-and-swap is a correct answer, not a failure: it counts as no write.
    done(null, ok, ok * KV_SIZE);
  };
  const putBatch = (i: number, done: Done, cas: boolean) => {
    const picked = keys();
    const entries = picked.map((k) =>
      cas ? { key: `k${k}`, value, if_revision: revisions[k] } : { key: `k${k}`, value },
    );
    socket().request({ type: "kv.put_batch", bucket: "bench", entries }, wrote(picked, done));
  };
  return {
    label: `Strata WS batch frames of ${opts.batch} keys (${opts.connections} connections)`,
    inFlight: opts.inFlight,
    seed,
    put: (i, done) => putBatch(i, done, false),
    get: (i, done) =>
      socket().request(
        { type: "kv.get_batch", bucket: "bench", keys: keys().map((k) => `k${k}`) },
        (err, a) => {
          if (err) return done(err);
          const found = (a!.results ?? []).filter((r) => r.value !== undefined);
          done(null, found.length, found.length * KV_SIZE);
        },
      ),
    cas: (i, done) => putBatch(i, done, true),
    close: async () => sockets.forEach((s) => s.close()),
  };
}
