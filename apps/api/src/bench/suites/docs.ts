// `npm run bench -- docs`: changes applied and acknowledged as durable through the
// automerge-repo sync endpoint (stock Repo clients over WebSocket), for one busy document
// and for 1,000 documents; memory per loaded document; cold load of a 10 MB document.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { type DocHandle, type PeerId, Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { fmtBytes, fmtRate } from "../lib/format.js";
import { Histogram } from "../lib/histogram.js";
import { sleep } from "../lib/load.js";
import { reportProfiles } from "../lib/profile.js";
import { StrataServer } from "../lib/server.js";
import { type ResultRow, type Suite, type SuiteContext, type SuiteResult } from "../lib/types.js";
import { createBenchDatabase } from "../streams/setup.js";

export const suite: Suite = {
  name: "docs",
  description:
    "Automerge sync endpoint: durable-acked changes/s (1 busy doc, 1,000 docs), memory per loaded doc, cold load of a 10 MB doc",
  run,
};

type Counter = { n: number; blobs?: Uint8Array[] };
const MiB = 1024 * 1024;

interface Client {
  readonly repo: Repo;
  readonly strata: string;
}

async function connect(wsUrl: string, key: string): Promise<Client> {
  const adapter = new WebSocketClientAdapter(`${wsUrl}/v1/docs/sync?token=${key}`, 60_000);
  const repo = new Repo({
    network: [adapter],
    peerId: `bench-${randomBytes(4).toString("hex")}` as PeerId,
  });
  for (let i = 0; repo.peers.length === 0; i++) {
    if (i > 1000) throw new Error("the sync endpoint did not answer the join");
    await sleep(10);
  }
  return { repo, strata: repo.getStorageIdOfPeer(repo.peers[0]!)! };
}

const same = (a: readonly string[] | undefined, b: readonly string[]) =>
  !!a && a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** Resolves once Strata reports the handle's current heads as stored (its durable ack). */
async function acked(
  handle: DocHandle<unknown>,
  strata: string,
  timeoutMs = 60_000,
): Promise<void> {
  const want = handle.heads();
  const deadline = Date.now() + timeoutMs;
  while (!same(handle.getRemoteHeads(strata as never), want)) {
    if (Date.now() > deadline) throw new Error(`no durable ack within ${timeoutMs} ms`);
    await sleep(2);
  }
}

/**
 * Rounds of `perDoc` changes to every document of every client, each round ending when
 * Strata acknowledges all of them as durable; measured for `durationMs` after one round.
 */
async function measureRounds(
  ctx: SuiteContext,
  work: { client: Client; handles: DocHandle<Counter>[] }[],
  perDoc: number,
): Promise<{ changesPerSec: number; rounds: Histogram }> {
  const rounds = new Histogram();
  let changes = 0;
  const round = async (w: (typeof work)[number]) => {
    for (const h of w.handles) for (let k = 0; k < perDoc; k++) h.change((d) => (d.n += 1));
    await Promise.all(w.handles.map((h) => acked(h, w.client.strata)));
  };
  await Promise.all(work.map(round));
  const start = Date.now();
  const end = start + ctx.durationMs;
  await Promise.all(
    work.map(async (w) => {
      while (Date.now() < end) {
        const t0 = performance.now();
        await round(w);
        rounds.record(performance.now() - t0);
        changes += w.handles.length * perDoc;
      }
    }),
  );
  return { changesPerSec: changes / ((Date.now() - start) / 1000), rounds };
}

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const rows: ResultRow[] = [];
  const notes: string[] = [
    "Clients are stock @automerge/automerge-repo 2.5 Repos with WebSocketClientAdapter in the bench process, on the same cores as Strata. A change counts once Strata's remote heads for the client (its storage id) equal the client's heads, i.e. it is committed in Postgres.",
  ];
  const bench = await createBenchDatabase();
  const env = { STRATA_DOC_MAX_BYTES: String(256 * MiB) };
  let server = await StrataServer.start({ databaseUrl: bench.db.url, env });
  const clients: Client[] = [];
  try {
    const { secret } = await server.tenantKey("docs-bench", ["docs:read", "docs:write"]);
    const fresh = async () => {
      const c = await connect(server.wsUrl, secret);
      clients.push(c);
      return c;
    };

    if (ctx.selected("sync.one-doc")) {
      ctx.log("one busy document …");
      const writer = await fresh();
      const handle = writer.repo.create<Counter>({ n: 0 });
      await acked(handle, writer.strata);
      // Two readers receive every change the writer makes (fan-out through Strata).
      for (let i = 0; i < 2; i++) await (await fresh()).repo.find(handle.url);
      const perRound = 500;
      const m = await measureRounds(ctx, [{ client: writer, handles: [handle] }], perRound);
      rows.push({
        id: "sync.one-doc",
        label: `1 document, 1 writer + 2 readers, ${perRound} changes per round`,
        msgsPerSec: m.changesPerSec,
        p50Ms: m.rounds.quantile(0.5),
        p99Ms: m.rounds.quantile(0.99),
        note: "changes/s durable-acked; p50/p99 = one round (changes → durable ack)",
      });
    }

    if (ctx.selected("sync.1000-docs")) {
      ctx.log("1,000 documents …");
      const rssBefore = server.rss();
      const work = [];
      for (let c = 0; c < 4; c++) {
        const client = await fresh();
        const handles = Array.from({ length: 250 }, () => client.repo.create<Counter>({ n: 0 }));
        work.push({ client, handles });
      }
      const m = await measureRounds(ctx, work, 1);
      const perDoc = (server.rss() - rssBefore) / 1000;
      rows.push({
        id: "sync.1000-docs",
        label: "1,000 documents, 4 clients × 250, 1 change per doc per round",
        msgsPerSec: m.changesPerSec,
        p50Ms: m.rounds.quantile(0.5),
        p99Ms: m.rounds.quantile(0.99),
        note: "changes/s durable-acked; p50/p99 = one round over 250 documents",
      });
      rows.push({
        id: "mem.per-doc",
        label: "server RSS growth per loaded small document",
        note: `${fmtBytes(Math.round(perDoc))} per document (owner copy + sync replica + sessions), ${fmtRate(m.changesPerSec)} changes/s run`,
        extra: { bytesPerDoc: Math.round(perDoc) },
      });
    }
    for (const c of clients.splice(0)) await c.repo.shutdown();

    if (ctx.selected("load.10mb")) {
      ctx.log("10 MB document …");
      const writer = await fresh();
      // Byte values: a 10 MB document of 1 KiB blobs. (Strings would be collaborative text,
      // one op per character: ten million ops, far beyond what 10 MB of blobs costs to load.)
      const handle = writer.repo.create<Counter>({ n: 0, blobs: [] });
      for (let i = 0; i < 100; i++) {
        const chunk = Array.from({ length: 100 }, () => new Uint8Array(randomBytes(1024)));
        handle.change((d) => d.blobs!.push(...chunk));
      }
      await acked(handle, writer.strata, 300_000);
      await writer.repo.shutdown();
      clients.length = 0;
      // Cold: a new server process on the same database.
      await server.stop();
      // `--profile`: the restarted server only, so the profile is the cold load.
      const profDir = join(ctx.resultsDir, "prof");
      const since = Date.now();
      server = await StrataServer.start({
        databaseUrl: bench.db.url,
        env,
        ...(ctx.profile ? { cpuProfileDir: profDir } : {}),
      });
      const probe = probeLiveness(server.baseUrl);
      const t0 = performance.now();
      const reader = await fresh();
      const found = await reader.repo.find<Counter>(handle.url);
      const ms = performance.now() - t0;
      const stall = await probe.stop();
      rows.push({
        id: "load.10mb",
        label:
          "cold load of a 10 MB document (100 changes of 1 KiB blobs) via repo.find, restarted node",
        p50Ms: ms,
        note: `${found.doc().blobs!.length} blobs; longest /health/live answer during the load ${stall.toFixed(0)} ms`,
        extra: { loadMs: Math.round(ms), longestLivenessMs: Math.round(stall) },
      });
      if (ctx.profile) {
        await server.stop();
        notes.push(...reportProfiles(profDir, since));
      }
    }
  } catch (err) {
    ctx.log(`Strata output (tail):\n${server.output().slice(-3000)}`);
    throw err;
  } finally {
    for (const c of clients) await c.repo.shutdown().catch(() => {});
    await server.stop();
    await bench.close();
  }
  return { rows, targets: [], notes };
}

/** Polls `/health/live` back to back; the slowest answer shows how long the node was blocked. */
function probeLiveness(baseUrl: string): { stop(): Promise<number> } {
  let running = true;
  let worst = 0;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await fetch(`${baseUrl}/health/live`).catch(() => undefined);
      worst = Math.max(worst, performance.now() - t0);
      await sleep(10);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return worst;
    },
  };
}
