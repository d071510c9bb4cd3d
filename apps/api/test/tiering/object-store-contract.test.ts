import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectNotFound, type ObjectStore } from "@strata/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../src/tiering/local-object-store.js";
import { S3ObjectStore } from "../../src/tiering/s3-object-store.js";
import { type LocalS3, startS3 } from "./support/s3rver.js";

/** One contract, run against every ObjectStore implementation. */
function describeObjectStoreContract(name: string, make: () => Promise<ObjectStore>) {
  describe(`${name} (ObjectStore contract)`, () => {
    let store: ObjectStore;
    beforeAll(async () => {
      store = await make();
    });

    it("puts, gets and heads an object byte for byte", async () => {
      const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
      await store.put("a/b/one.bin", body);
      expect(Buffer.from(await store.get("a/b/one.bin")).equals(body)).toBe(true);
      const head = await store.head("a/b/one.bin");
      expect(head).toMatchObject({ key: "a/b/one.bin", size: body.byteLength });
      expect(head!.lastModified.getTime()).toBeGreaterThan(Date.now() - 3600_000);
    });

    it("stores an empty object", async () => {
      await store.put("a/empty", new Uint8Array(0));
      expect((await store.get("a/empty")).byteLength).toBe(0);
    });

    it("answers a missing object with ObjectNotFound on get and null on head", async () => {
      await expect(store.get("nope/missing")).rejects.toBeInstanceOf(ObjectNotFound);
      expect(await store.head("nope/missing")).toBeNull();
    });

    it("replaces an object on a second put", async () => {
      await store.put("a/replace", Buffer.from("first"));
      await store.put("a/replace", Buffer.from("second"));
      expect(Buffer.from(await store.get("a/replace")).toString()).toBe("second");
    });

    it("deletes, and deleting a missing object is not an error", async () => {
      await store.put("d/x", Buffer.from("x"));
      await store.delete("d/x");
      await store.delete("d/x");
      expect(await store.head("d/x")).toBeNull();
    });

    it("lists by prefix in key order, across pages", async () => {
      const keys = Array.from({ length: 1105 }, (_, i) => `l/p/${String(i).padStart(5, "0")}`);
      for (let i = 0; i < keys.length; i += 50)
        await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, Buffer.from(k))));
      await store.put("l/q/other", Buffer.from("other"));
      const listed: string[] = [];
      for await (const o of store.list("l/p/")) listed.push(o.key);
      expect(listed).toEqual(keys);
      const partial: string[] = [];
      for await (const o of store.list("l/p/0110")) partial.push(o.key);
      expect(partial).toEqual(keys.filter((k) => k.startsWith("l/p/0110")));
      const none: string[] = [];
      for await (const o of store.list("zzz/")) none.push(o.key);
      expect(none).toEqual([]);
    });

    it("refuses keys that could escape the store", async () => {
      await expect(store.put("../etc/passwd", Buffer.from("x"))).rejects.toThrow(
        /valid object key/,
      );
      await expect(store.get("a//b")).rejects.toThrow(/valid object key/);
    });
  });
}

let dir: string;
let s3: LocalS3;
const s3Stores: S3ObjectStore[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-objects-"));
  s3 = await startS3();
});
afterAll(async () => {
  for (const s of s3Stores) s.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describeObjectStoreContract("LocalObjectStore", async () => new LocalObjectStore(dir));
describeObjectStoreContract("S3ObjectStore on s3rver", async () => {
  const store = new S3ObjectStore({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    forcePathStyle: true,
    prefix: "deployment-a/",
  });
  s3Stores.push(store);
  return store;
});
