import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { assertObjectKey, type ObjectInfo, ObjectNotFound, type ObjectStore } from "@strata/core";

const TMP = ".tmp";

/**
 * Objects as files under one directory (the embedded default). A put writes
 * a temporary file, fsyncs it, renames it into place and fsyncs the
 * directory, so after a crash an object is either whole or absent.
 */
export class LocalObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.path(key);
    const tmpDir = join(this.root, TMP);
    await Promise.all([
      mkdir(dirname(path), { recursive: true }),
      mkdir(tmpDir, { recursive: true }),
    ]);
    const tmp = join(tmpDir, `${randomBytes(8).toString("hex")}`);
    const file = await open(tmp, "w");
    try {
      await file.writeFile(body);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await syncDir(dirname(path));
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFound(key);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    await rm(path, { force: true });
    // Segment directories hold a handful of objects: drop the emptied directory (best effort).
    await rmdir(dirname(path)).catch(() => {});
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Walk only the directory the prefix names, then filter by the rest of it.
    const cut = prefix.lastIndexOf("/");
    const start = join(this.root, prefix.slice(0, cut + 1));
    for (const path of await walk(start)) {
      const key = relative(this.root, path).split(sep).join("/");
      if (!key.startsWith(prefix) || key.startsWith(`${TMP}/`)) continue;
      const s = await stat(path).catch(() => null);
      if (s) yield { key, size: s.size, lastModified: s.mtime };
    }
  }

  private path(key: string): string {
    assertObjectKey(key);
    return join(this.root, ...key.split("/"));
  }
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
