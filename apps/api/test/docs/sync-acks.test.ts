import { decodeHeads, type DocHandle } from "@automerge/automerge-repo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { DocClient } from "./doc-client.js";
import { connectRepo, type SyncClient, until } from "./sync-clients.js";

type Counter = { n: number };

let t: TestApp;
let key: string;
let writer: SyncClient | undefined;

beforeAll(async () => {
  t = await startTestApp();
  ({ secret: key } = await t.tenantWithKey(["docs:read", "docs:write"]));
});
afterAll(async () => {
  await writer?.close().catch(() => {});
  await t?.close();
});

const sorted = (h: readonly string[]) => [...h].sort();
const sameHeads = (a: readonly string[] | undefined, b: readonly string[]) =>
  !!a && sorted(a).join() === sorted(b).join();

// "Have my changes reached that storage server?" is answered by the sync state's theirHeads
// (`getSyncInfo(storageId).lastHeads`): it moves only when Strata sends a sync message. When
// several of a peer's messages are handled together, the last of them may already carry the
// heads Strata reached by storing the earlier ones; Automerge then thinks the peer knows them
// and stays silent, unless Strata answers anyway.
describe("durable acknowledgements under concurrent writes", () => {
  it(
    "one writer changing 100 documents 200 times each at once: Strata's heads reach the writer's heads for every document",
    { timeout: 120_000 },
    async () => {
      writer = await connectRepo(t.baseUrl, key);
      const strata = writer.repo.getStorageIdOfPeer(writer.repo.peers[0]!)!;
      const docs = 100;
      const changes = 200;
      const handles: DocHandle<Counter>[] = Array.from({ length: docs }, () =>
        writer!.repo.create<Counter>({ n: 0 }),
      );
      // Rounds over all documents, yielding in between so messages of a document queue up on
      // the server while it stores the earlier ones (the batches where replies were folded).
      const t0 = Date.now();
      for (let round = 1; round < changes; round++) {
        for (const h of handles) h.change((d) => (d.n = round));
        await new Promise((r) => setTimeout(r, round % 10 === 0 ? 5 : 0));
      }
      const lastChange = Date.now();
      const rest = new DocClient(t.baseUrl, key);
      // First everything is stored (the server works through its backlog at its own pace),
      const stored = async (h: DocHandle<Counter>) =>
        sameHeads(await rest.heads(h.documentId), decodeHeads(h.heads()));
      for (const h of handles) await until(() => stored(h), `document ${h.documentId} stored`);
      const storedAt = Date.now();
      // then Strata must have told the writer so, for every document.
      const behind = () =>
        handles.filter((h) => !sameHeads(h.getSyncInfo(strata as never)?.lastHeads, h.heads()));
      await until(() => behind().length === 0, "every document is acknowledged").catch(() => {});
      console.info(
        `changes made in ${lastChange - t0} ms; all stored ${storedAt - lastChange} ms after the last, acknowledged ${Date.now() - lastChange} ms after it`,
      );
      expect(behind().map((h) => h.documentId)).toEqual([]);
      for (const h of handles) expect(h.doc().n).toBe(changes - 1);
    },
  );
});
