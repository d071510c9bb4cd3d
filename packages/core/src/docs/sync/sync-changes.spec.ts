import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { InvalidChange } from "../docs.errors.js";
import { decodeSyncMessage, loadRawDoc, type DecodedSyncMessage } from "./raw-automerge.js";
import { newChangesOf, withoutChanges } from "./sync-changes.js";

type Doc = { n: number; items?: string[] };

/** Runs the sync protocol from `from` to `to` until quiet; returns every message `from` sent. */
function syncAll(from: A.Doc<Doc>, to: A.Doc<Doc>): DecodedSyncMessage[] {
  let a = from;
  let b = to;
  let sa = A.initSyncState();
  let sb = A.initSyncState();
  const sent: DecodedSyncMessage[] = [];
  for (let i = 0; i < 20; i++) {
    const [sa1, m] = A.generateSyncMessage(a, sa);
    sa = sa1;
    if (m) {
      sent.push(decodeSyncMessage(m));
      [b, sb] = A.receiveSyncMessage(b, sb, m);
    }
    const [sb1, m2] = A.generateSyncMessage(b, sb);
    sb = sb1;
    if (m2) [a, sa] = A.receiveSyncMessage(a, sa, m2);
    if (!m && !m2) break;
  }
  return sent;
}

describe(newChangesOf.name, () => {
  it("expands what a peer sends (single changes or v2 document chunks) into exactly the changes the replica lacks", () => {
    const base = A.from<Doc>({ n: 0 });
    let peer = A.clone(base);
    for (let i = 1; i <= 100; i++) peer = A.change(peer, (d) => (d.n = i));
    const replica = loadRawDoc(A.save(base));
    const messages = syncAll(peer, A.clone(base));
    const changes = messages.flatMap((m) => newChangesOf(replica, m));
    const expected = A.getChanges(base, peer).map((c) => A.decodeChange(c).hash);
    expect(changes.map((c) => A.decodeChange(c).hash).sort()).toEqual(expected.sort());
    replica.applyChanges(changes);
    expect(replica.getHeads()).toEqual(A.getHeads(peer));
  });

  it("brings nothing for changes the replica already has", () => {
    const doc = A.change(A.from<Doc>({ n: 0 }), (d) => (d.n = 1));
    const replica = loadRawDoc(A.save(doc));
    for (const m of syncAll(doc, A.init<Doc>())) expect(newChangesOf(replica, m)).toEqual([]);
  });

  it("rejects bytes that are not Automerge data", () => {
    const replica = loadRawDoc(A.save(A.from<Doc>({ n: 0 })));
    const bogus = { heads: [], need: [], have: [], changes: [new Uint8Array([1, 2, 3, 4])] };
    expect(() => newChangesOf(replica, bogus)).toThrow(InvalidChange);
  });
});

describe(withoutChanges.name, () => {
  it("keeps heads, need and have and drops the changes", () => {
    const doc = A.change(A.from<Doc>({ n: 0 }), (d) => (d.n = 1));
    const withData = syncAll(doc, A.init<Doc>()).find((m) => m.changes.length > 0)!;
    const stripped = decodeSyncMessage(withoutChanges(withData));
    expect(stripped.changes).toEqual([]);
    expect(stripped.heads).toEqual(withData.heads);
    expect(stripped.need).toEqual(withData.need);
  });
});
