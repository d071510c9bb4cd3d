import * as Automerge from "@automerge/automerge";
import { cbor } from "@automerge/automerge-repo";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_FRAME_TYPES } from "@strata/core";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { type Encoding, type Frame, refusedUpgrade, TestWsClient } from "../support/ws-client.js";
import {
  BUCKET,
  buildFixture,
  CRDT_BUCKET,
  CONSUMER,
  type Fixture,
  KEY,
  type Scope,
  STREAM,
} from "./matrix-fixture.js";

/**
 * The authorization matrix over the WebSocket (issue 15): every client frame
 * that names a tenant resource, on tenant A's stream, consumer and bucket,
 * sent with A's key lacking the frame's scope (`error` frame, `forbidden`,
 * 403) and with tenant B's key (`not_found`, 404, as over REST), in both
 * encodings; the upgrade itself with no credential, a revoked key or a
 * suspended tenant's key is refused with 401 `unauthenticated`
 * (docs/protocol.md, "Connecting").
 */

interface FrameCase {
  type: string;
  scope: Scope;
  frame: (id: string, encoding: Encoding) => Record<string, unknown>;
}

/** One of each; `unsubscribe` and `ping` name no resource. */
const FRAMES: FrameCase[] = [
  { type: "append", scope: "streams:write", frame: (id) => ({ stream: STREAM, value_text: id }) },
  {
    type: "append_batch",
    scope: "streams:write",
    frame: (id) => ({ stream: STREAM, messages: [{ value_text: id }] }),
  },
  {
    type: "append_chunk",
    scope: "streams:write",
    frame: (id) => ({ stream: STREAM, index: 0, last: true, value_text: id }),
  },
  {
    type: "subscribe",
    scope: "streams:read",
    frame: (id) => ({ sub: id, stream: STREAM, from_seq: 1 }),
  },
  {
    type: "consumer_ack",
    scope: "streams:read",
    frame: () => ({ stream: STREAM, consumer: CONSUMER, seq: 1 }),
  },
  {
    type: "kv.put",
    scope: "kv:write",
    frame: (id) => ({ bucket: BUCKET, key: KEY, value_text: id }),
  },
  {
    type: "kv.put_batch",
    scope: "kv:write",
    frame: (id) => ({ bucket: BUCKET, entries: [{ key: KEY, value_text: id }] }),
  },
  // A key of its own, so that the full-key sanity run does not delete the one the others read.
  {
    type: "kv.delete",
    scope: "kv:write",
    frame: (_id, encoding) => ({ bucket: BUCKET, key: `deletable-${encoding}` }),
  },
  { type: "kv.get", scope: "kv:read", frame: () => ({ bucket: BUCKET, key: KEY }) },
  { type: "kv.get_batch", scope: "kv:read", frame: () => ({ bucket: BUCKET, keys: [KEY] }) },
  { type: "kv.watch", scope: "kv:read", frame: (id) => ({ sub: id, bucket: BUCKET }) },
];

/** A subscription through the durable consumer is a separate authorization path. */
const CONSUMER_SUBSCRIBE: FrameCase = {
  type: "subscribe",
  scope: "streams:read",
  frame: (id) => ({ sub: id, stream: STREAM, consumer: CONSUMER }),
};
/** The KV frames again on the crdt bucket, which another service serves. */
const CRDT_FRAMES: FrameCase[] = FRAMES.filter((c) => c.type.startsWith("kv.")).map((c) => ({
  ...c,
  frame: (id, encoding) => ({ ...c.frame(id, encoding), bucket: CRDT_BUCKET }),
}));
const CASES = [...FRAMES, CONSUMER_SUBSCRIBE, ...CRDT_FRAMES];
const ENCODINGS: Encoding[] = ["json", "msgpack"];

let t: TestApp;
let f: Fixture;
let wsUrl: string;
const counts: Record<string, number> = {};
let next = 0;

beforeAll(async () => {
  t = await startTestApp();
  f = await buildFixture(t);
  wsUrl = `${t.baseUrl.replace(/^http/, "ws")}/v1/ws`;
  for (const bucket of [BUCKET, CRDT_BUCKET]) {
    for (const encoding of ENCODINGS) {
      const put = await fetch(`${t.baseUrl}/v1/kv/${bucket}/keys/deletable-${encoding}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${f.full}`, "content-type": "application/octet-stream" },
        body: "d",
      });
      expect(put.status).toBe(200);
    }
  }
});
afterAll(async () => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const parts = Object.entries(counts).map(([k, n]) => `${k} ${n}`);
  console.info(`auth matrix (WS): ${parts.join(", ")}; total ${total} probes`);
  await t?.close();
});

/** The answer to the frame with `id`: an error or result frame carrying it, or a batch holding it. */
function answers(id: string) {
  const holds = (list: unknown) =>
    Array.isArray(list) && list.some((x) => (x as { id?: unknown }).id === id);
  return (fr: Frame) => fr.id === id || holds(fr.acks) || holds(fr.entries) || holds(fr.results);
}

/** Sends every case on one connection with `key`; failures as "frame -> answer". */
async function probe(
  name: string,
  key: string | ((c: FrameCase) => string),
  wrong: (answer: Frame) => boolean,
): Promise<string[]> {
  const failures: string[] = [];
  for (const encoding of ENCODINGS) {
    const clients = new Map<string, TestWsClient>();
    const connect = async (k: string) => {
      if (!clients.has(k))
        clients.set(k, await TestWsClient.connect(t.baseUrl, { key: k, encoding }));
      return clients.get(k)!;
    };
    for (const fc of CASES) {
      const c = await connect(typeof key === "string" ? key : key(fc));
      const id = `m${next++}`;
      c.send({ type: fc.type, id, ...fc.frame(id, encoding) });
      const answer = await c.waitFor(answers(id));
      if (wrong(answer)) {
        const shown = JSON.stringify(answer, (_k, v: unknown) =>
          Buffer.isBuffer(v) ? "<bytes>" : v,
        );
        failures.push(
          `${encoding} ${fc.type} ${JSON.stringify(fc.frame(id, encoding))} -> ${shown.slice(0, 200)}`,
        );
      }
    }
    for (const c of clients.values()) await c.close();
  }
  counts[name] = CASES.length * ENCODINGS.length;
  return failures;
}

const deniedWith = (code: string, status: number) => (a: Frame) =>
  !(a.type === "error" && a.code === code && a.status === status);

describe("WebSocket authorization matrix (every resource frame, both encodings)", () => {
  it("covers every client frame type that names a resource", () => {
    const named = new Set(CASES.map((c) => c.type));
    const rest = CLIENT_FRAME_TYPES.filter((ty) => !named.has(ty));
    expect(rest.sort()).toEqual(["ping", "unsubscribe"]);
  });

  it("answers every frame with A's key or token lacking its scope (or its name) forbidden (403)", async () => {
    const deny = deniedWith("forbidden", 403);
    const failures = [
      ...(await probe("key without the scope", (c) => f.lacking[c.scope], deny)),
      ...(await probe("token without the scope", (c) => f.tokens.lacking[c.scope], deny)),
      ...(await probe("key whose patterns exclude the name", f.patterned, deny)),
    ];
    expect(failures).toEqual([]);
  });

  it("answers every frame on A's resources sent with B's key with not_found (404)", async () => {
    const failures = await probe("another tenant's key", f.other, deniedWith("not_found", 404));
    expect(failures).toEqual([]);
  });

  it("answers every frame with A's full key (the denials above are not a broken frame)", async () => {
    const failures = await probe("sanity (A's full key)", f.full, (a) => a.type === "error");
    expect(failures).toEqual([]);
  });

  it("refuses the upgrade without a credential, with a revoked key, with a suspended tenant's key: 401", async () => {
    const attempts: [string, string, Record<string, string>][] = [
      ["no credential", wsUrl, {}],
      ["revoked key (header)", wsUrl, { authorization: `Bearer ${f.revoked}` }],
      ["revoked key (?token=)", `${wsUrl}?token=${f.revoked}`, {}],
      ["suspended tenant (header)", wsUrl, { authorization: `Bearer ${f.suspended}` }],
      ["suspended tenant (?token=)", `${wsUrl}?token=${f.suspended}`, {}],
      ["revoked key's token", `${wsUrl}?token=${f.tokens.revoked}`, {}],
      ["expired key", wsUrl, { authorization: `Bearer ${f.expired}` }],
      ["deleted tenant's key", wsUrl, { authorization: `Bearer ${f.deletedTenant}` }],
      ["deleted tenant's token", `${wsUrl}?token=${f.tokens.deletedTenant}`, {}],
      ["suspended tenant's token", `${wsUrl}?token=${f.tokens.suspended}`, {}],
      ["garbage credential", wsUrl, { authorization: "Bearer sk_not_a_key" }],
    ];
    const failures: string[] = [];
    for (const [what, url, headers] of attempts) {
      const { status, body } = await refusedUpgrade(url, headers);
      const code = (JSON.parse(body) as { code?: string }).code;
      if (status !== 401 || code !== "unauthenticated")
        failures.push(`${what} -> ${status} ${body}`);
    }
    counts["upgrade refused"] = attempts.length;
    expect(failures).toEqual([]);
  });
});

/** A peer that joins the sync socket and asks for one document; resolves with Strata's answer. */
async function requestDoc(base: string, key: string, documentId: string): Promise<string> {
  const url = `${base.replace(/^http/, "ws")}/v1/docs/sync`;
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
  const frames: { type: string; documentId?: string }[] = [];
  const answered = new Promise<string>((resolve, reject) => {
    ws.on("message", (data: Buffer) => {
      const m = cbor.decode(new Uint8Array(data)) as { type: string; documentId?: string };
      frames.push(m);
      if (m.type === "peer") {
        // What a stock client sends for a document it does not have yet.
        const data = Automerge.generateSyncMessage(Automerge.init(), Automerge.initSyncState())[1];
        ws.send(
          cbor.encode({
            type: "request",
            senderId: "matrix",
            targetId: "strata",
            documentId,
            data,
          }),
        );
      } else if (m.documentId === documentId) resolve(m.type);
    });
    ws.once("error", reject);
    ws.once("close", () => reject(new Error(`closed; got ${JSON.stringify(frames)}`)));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_r, res) => reject(new Error(`refused ${res.statusCode}`)));
  });
  ws.send(cbor.encode({ type: "join", senderId: "matrix", supportedProtocolVersions: ["1"] }));
  try {
    return await answered;
  } finally {
    ws.removeAllListeners("close");
    ws.close();
  }
}

describe("document sync socket authorization (/v1/docs/sync)", () => {
  it("refuses the upgrade: 401 without a valid credential, 403 for a key without docs:read", async () => {
    const url = `${t.baseUrl.replace(/^http/, "ws")}/v1/docs/sync`;
    const attempts: [string, string, Record<string, string>, number, string][] = [
      ["no credential", url, {}, 401, "unauthenticated"],
      ["revoked key", url, { authorization: `Bearer ${f.revoked}` }, 401, "unauthenticated"],
      ["revoked key (?token=)", `${url}?token=${f.revoked}`, {}, 401, "unauthenticated"],
      ["suspended tenant", url, { authorization: `Bearer ${f.suspended}` }, 401, "unauthenticated"],
      [
        "key without docs:read",
        url,
        { authorization: `Bearer ${f.lacking["docs:read"]}` },
        403,
        "forbidden",
      ],
    ];
    const failures: string[] = [];
    for (const [what, target, headers, status, code] of attempts) {
      const res = await refusedUpgrade(target, headers);
      const got = (JSON.parse(res.body) as { code?: string }).code;
      if (res.status !== status || got !== code)
        failures.push(`${what} -> ${res.status} ${res.body}`);
    }
    counts["docs sync upgrade refused"] = attempts.length;
    expect(failures).toEqual([]);
  });

  it("answers B's request for A's document doc-unavailable, A's own with sync", async () => {
    expect(await requestDoc(t.baseUrl, f.other, f.docId)).toBe("doc-unavailable");
    expect(await requestDoc(t.baseUrl, f.full, f.docId)).toBe("sync");
    counts["docs sync request"] = 2;
  });
});
