import {
  type Chunk,
  type DocHandle,
  type PeerId,
  Repo,
  type StorageAdapterInterface,
  type StorageKey,
  cbor,
} from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { WebSocket } from "ws";

/**
 * Stock automerge-repo clients for the sync endpoint tests. The Node
 * WebSocket adapter cannot set headers, so the key travels as `?token=`
 * (as a browser's would).
 */
export function syncUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/^http/, "ws")}/v1/docs/sync?token=${encodeURIComponent(token)}`;
}

/** The stock client adapter, counting the bytes it exchanges (what a reconnect costs). */
export class CountingAdapter extends WebSocketClientAdapter {
  sentBytes = 0;
  receivedBytes = 0;
  readonly received: { type: string; [k: string]: unknown }[] = [];

  override send(message: Parameters<WebSocketClientAdapter["send"]>[0]): void {
    this.sentBytes += cbor.encode(message).byteLength;
    super.send(message);
  }

  override receiveMessage(bytes: Uint8Array): void {
    this.receivedBytes += bytes.byteLength;
    try {
      this.received.push(cbor.decode(new Uint8Array(bytes)) as { type: string });
    } catch {
      // the adapter itself reports undecodable frames
    }
    super.receiveMessage(bytes);
  }

  resetCounters(): void {
    this.sentBytes = 0;
    this.receivedBytes = 0;
    this.received.length = 0;
  }
}

/** automerge-repo's storage contract in memory, so a client can "restart" with its data. */
export class MemoryStorage implements StorageAdapterInterface {
  private readonly data = new Map<string, Uint8Array>();

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.data.get(key.join("/"));
  }

  async save(key: StorageKey, value: Uint8Array): Promise<void> {
    this.data.set(key.join("/"), value);
  }

  async remove(key: StorageKey): Promise<void> {
    this.data.delete(key.join("/"));
  }

  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const p = prefix.join("/");
    return [...this.data.entries()]
      .filter(([k]) => k === p || k.startsWith(`${p}/`))
      .map(([k, data]) => ({ key: k.split("/"), data }));
  }

  async removeRange(prefix: StorageKey): Promise<void> {
    for (const c of await this.loadRange(prefix)) this.data.delete(c.key.join("/"));
  }
}

export interface SyncClient {
  readonly repo: Repo;
  readonly adapter: CountingAdapter;
  close(): Promise<void>;
}

export async function connectRepo(
  baseUrl: string,
  token: string,
  options: { storage?: StorageAdapterInterface; peerId?: string; gossip?: boolean } = {},
): Promise<SyncClient> {
  // A long retry interval: tests close clients on purpose and must not see them come back.
  const adapter = new CountingAdapter(syncUrl(baseUrl, token), 60_000);
  const repo = new Repo({
    network: [adapter],
    storage: options.storage,
    peerId: (options.peerId ?? `client-${Math.random().toString(36).slice(2)}`) as PeerId,
    enableRemoteHeadsGossiping: options.gossip ?? false,
  });
  await until(() => repo.peers.length > 0, "the client joined");
  return {
    repo,
    adapter,
    close: async () => {
      await repo.shutdown();
    },
  };
}

/** Polls `check` until it is true (no fixed sleeps; the test timeout bounds it). */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The heads Strata reports as stored for `handle`, hex, sorted (undefined until it reports). */
export function strataHeads(handle: DocHandle<unknown>, storageId: string): string[] | undefined {
  return handle
    .getRemoteHeads(storageId as never)
    ?.slice()
    .sort();
}

/** A raw WebSocket on the sync endpoint, for frames no stock client would send. */
export async function rawSocket(baseUrl: string, token: string): Promise<RawPeer> {
  const ws = new WebSocket(syncUrl(baseUrl, token));
  const frames: Record<string, unknown>[] = [];
  const closed = new Promise<{ code: number }>((resolve) =>
    ws.once("close", (code) => resolve({ code })),
  );
  ws.on("message", (data: Buffer) => frames.push(cbor.decode(new Uint8Array(data))));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return {
    ws,
    frames,
    closed,
    send: (m) => ws.send(cbor.encode(m)),
  };
}

export interface RawPeer {
  readonly ws: WebSocket;
  readonly frames: Record<string, unknown>[];
  readonly closed: Promise<{ code: number }>;
  send(message: Record<string, unknown>): void;
}
