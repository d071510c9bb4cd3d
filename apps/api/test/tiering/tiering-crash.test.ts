import { DEFAULT_TIERING, type ObjectStore, type StreamId } from "@strata/core";
import { StreamTiererPg, TIERING_STEPS, TieringVerifyFailed, type TieringStep } from "@strata/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendVaried,
  listKeys,
  startTieringFixture,
  type TieringFixture,
} from "./support/tiering-fixture.js";

class Crash extends Error {}

let f: TieringFixture;
beforeAll(async () => {
  f = await startTieringFixture();
});
afterAll(() => f?.close());

const defaults = { ...DEFAULT_TIERING, segmentMessages: 50 };

/** A tierer on the app's database and bucket that "crashes" (throws) when it reaches `step`. */
function crashingAt(step: TieringStep, store: ObjectStore = f.store) {
  return new StreamTiererPg(f.t.pool, store, defaults, {
    at: (s) => {
      if (s === step) throw new Crash(step);
    },
  });
}

async function manifestKeys(id: number): Promise<string[]> {
  const { rows } = await f.t.pool.query<{ object_key: string }>(
    "select object_key from stream_segments where stream_id = $1",
    [id],
  );
  return rows.map((r) => r.object_key);
}

describe("tiering crash safety", () => {
  it.each(TIERING_STEPS)(
    "loses nothing when a run crashes at %s, and a re-run leaves no garbage",
    async (step) => {
      const name = `crash.${step}`;
      await f.c.createStream(name, { dedup_window_seconds: 0 });
      await appendVaried(f.c, name, 120);
      // One chunked value, so the large-value objects are part of every step too.
      await f.c.append(name, {
        messages: [{ value_base64: Buffer.alloc(300 * 1024, 7).toString("base64") }],
      });
      const before = await f.c.readAll(name);
      const id = (await f.streamId(name)) as StreamId;

      await expect(
        crashingAt(step).tierStream(id, { olderThanSeconds: 0, minMessages: 1 }),
      ).rejects.toBeInstanceOf(Crash);
      expect(await f.c.readAll(name)).toEqual(before);
      const tiers = await f.tiers(name);
      expect(tiers.hot + tiers.cold).toBe(121);
      // Only a crash after the commit can have moved anything.
      expect(tiers.segments).toBe(step === "committed" ? 1 : 0);

      await f.tier(name);
      expect(await f.c.readAll(name)).toEqual(before);
      expect(await f.tiers(name)).toMatchObject({ hot: 0, cold: 121 });
      // Every object left belongs to a recorded segment: the crashed run's leftovers are gone.
      const manifest = new Set(await manifestKeys(id));
      const keys = await listKeys(f.store, `streams/${id}/`);
      for (const k of keys)
        expect(manifest.has(`${k.slice(0, k.lastIndexOf("/"))}/segment`)).toBe(true);
      expect(keys.filter((k) => k.endsWith("/segment")).sort()).toEqual([...manifest].sort());
    },
  );

  it("never deletes rows when the object does not read back intact", async () => {
    await f.c.createStream("verify", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "verify", 60);
    const before = await f.c.readAll("verify");
    const id = (await f.streamId("verify")) as StreamId;
    const lying: ObjectStore = {
      put: (k, b) => f.store.put(k, b),
      head: (k) => f.store.head(k),
      delete: (k) => f.store.delete(k),
      list: (p) => f.store.list(p),
      async get(k) {
        const bytes = Buffer.from(await f.store.get(k));
        const i = bytes.length >> 1;
        bytes.writeUInt8(bytes.readUInt8(i) ^ 0xff, i);
        return bytes;
      },
    };
    const tierer = new StreamTiererPg(f.t.pool, lying, defaults);
    await expect(
      tierer.tierStream(id, { olderThanSeconds: 0, minMessages: 1 }),
    ).rejects.toBeInstanceOf(TieringVerifyFailed);
    expect(await f.tiers("verify")).toEqual({ hot: 60, segments: 0, cold: 0 });
    expect(await f.c.readAll("verify")).toEqual(before);
  });
});
