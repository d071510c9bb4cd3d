import { randomBytes } from "node:crypto";
import { type Socket } from "node:net";
import { Packr } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { WsServer } from "../src/ws/ws-server.js";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { TestWsClient } from "./support/ws-client.js";

/**
 * 1,000 subscribers that stop reading while a stream takes appends. The
 * kernel absorbs the first megabytes of each socket; after that the server
 * must pause each subscription (and say so with `slow_consumer`) instead of
 * queueing, and after the clients read again, each must get every message
 * exactly once, from storage.
 */
const SUBSCRIBERS = 1000;
const VALUE_BYTES = 64 * 1024;
// Enough per subscriber to fill its socket's kernel buffers (up to ~4 MB on loopback) and more.
const MESSAGES = 72;
const MiB = 1024 * 1024;

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

interface Slow {
  readonly ws: WebSocket;
  readonly seqs: number[];
  slowNotices: number;
  subscribed: boolean;
  readonly unexpected: unknown[];
}

/** A lean client: keeps seqs, not values, so 1,000 of them fit in the test process. */
function slowClient(url: string, key: string, stream: string, sub: number): Promise<Slow> {
  const ws = new WebSocket(url, ["strata.v1.msgpack"], {
    headers: { authorization: `Bearer ${key}` },
  });
  const s: Slow = { ws, seqs: [], slowNotices: 0, subscribed: false, unexpected: [] };
  ws.on("message", (data: Buffer) => {
    const f = packr.unpack(data) as { type: string; msgs?: { seq: number }[] };
    if (f.type === "msgs") for (const m of f.msgs!) s.seqs.push(m.seq);
    else if (f.type === "slow_consumer") s.slowNotices++;
    else if (f.type === "subscribed") s.subscribed = true;
    else s.unexpected.push(f);
  });
  return new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("open", () => {
      ws.send(packr.pack({ type: "subscribe", id: 1, sub, stream, from_seq: 1 }));
      resolve(s);
    });
  });
}

async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await startTestApp();
  ({ secret: key } = await t.tenantWithKey(["streams:read", "streams:write"]));
});
afterAll(() => t?.close());

describe("slow subscribers", () => {
  it(`pauses ${SUBSCRIBERS} subscribers that stop reading, bounds memory, and loses nothing`, async () => {
    const stream = `slow-${randomBytes(3).toString("hex")}`;
    const put = await fetch(`${t.baseUrl}/v1/streams/${stream}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(put.status).toBe(201);
    const url = `${t.baseUrl.replace(/^http/, "ws")}/v1/ws`;
    const server = t.app.get(WsServer);

    const subscribers: Slow[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 100) {
      const batch = Array.from({ length: Math.min(100, SUBSCRIBERS - i) }, (_, j) =>
        slowClient(url, key, stream, i + j),
      );
      subscribers.push(...(await Promise.all(batch)));
    }
    await until(() => subscribers.every((s) => s.subscribed), 30_000, "subscribed");
    for (const s of subscribers) (s.ws as unknown as { _socket: Socket })._socket.pause();

    const before = process.memoryUsage();
    const heapBefore = before.heapUsed;
    let heapPeak = heapBefore;
    let buffersPeak = before.arrayBuffers;
    let bufferedPeak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      heapPeak = Math.max(heapPeak, now.heapUsed);
      buffersPeak = Math.max(buffersPeak, now.arrayBuffers);
      bufferedPeak = Math.max(bufferedPeak, server.stats().bufferedBytes);
    }, 20);

    const writer = await TestWsClient.connect(t.baseUrl, { key, encoding: "msgpack" });
    const value = randomBytes(VALUE_BYTES);
    // One at a time: each commit is one delivery, so what a full socket must still take stays small.
    for (let i = 0; i < MESSAGES; i++) {
      writer.send({ type: "append", id: i, stream, value });
      await writer.until(() => writer.acks.length === i + 1, 30_000);
    }
    await writer.until(() => writer.acks.length === MESSAGES, 30_000);
    await until(
      () => server.stats().pausedSubscriptions === SUBSCRIBERS,
      30_000,
      "every subscription to pause",
    );
    clearInterval(sampler);

    const heapGrowth = heapPeak - heapBefore;
    console.info(
      `slow subscribers: heap +${(heapGrowth / MiB).toFixed(0)} MiB, ` +
        `buffers +${((buffersPeak - before.arrayBuffers) / MiB).toFixed(0)} MiB, ` +
        `server send buffers peak ${(bufferedPeak / MiB).toFixed(0)} MiB`,
    );
    // Unbounded queueing would hold MESSAGES × VALUE_BYTES × SUBSCRIBERS (6 GiB) here.
    expect(heapGrowth).toBeLessThan(512 * MiB);
    // Past 64 MiB unsent in all, each socket is held to 128 KiB plus the delivery that crossed it.
    server.flow.sample();
    expect(server.stats().bufferedBytes).toBeLessThan(64 * MiB + SUBSCRIBERS * 512 * 1024);

    for (const s of subscribers) (s.ws as unknown as { _socket: Socket })._socket.resume();
    await until(
      () => subscribers.every((s) => s.seqs.length >= MESSAGES),
      120_000,
      "every subscriber to catch up",
    );
    await writer.roundTrip();
    const expected = Array.from({ length: MESSAGES }, (_, i) => i + 1);
    for (const s of subscribers) {
      expect(s.unexpected).toEqual([]);
      expect(s.seqs).toEqual(expected);
      expect(s.slowNotices).toBeGreaterThan(0);
    }
    expect(server.stats().pausedSubscriptions).toBe(0);
    await writer.close();
    await Promise.all(
      subscribers.map(
        (s) => new Promise<void>((resolve) => (s.ws.once("close", () => resolve()), s.ws.close())),
      ),
    );
  }, 240_000);
});
