import { z } from "zod";
import { pgText } from "../common/storable-text.js";
import { ValidationFailed } from "../errors.js";
import { type Heads } from "./documents.js";

const HASH = /^[0-9a-f]{64}$/;

/**
 * `?heads=` / `?since=`: comma-separated change hashes in hex (what
 * `Automerge.getHeads` returns), sorted and de-duplicated. Empty means the
 * empty document (no changes).
 */
export function parseHeads(raw: string | undefined, path: string): Heads {
  if (raw === undefined || raw.trim() === "") return [];
  const heads = [...new Set(raw.split(",").map((h) => h.trim().toLowerCase()))];
  const bad = heads.find((h) => !HASH.test(h));
  if (bad !== undefined) {
    throw new ValidationFailed([
      { path, message: `'${bad}' is not a change hash (64 hex digits, comma-separated)` },
    ]);
  }
  return heads.sort();
}

export const docListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** The last document id of the previous page. */
    after: pgText(z.string().max(100)).optional(),
  })
  .strict();
export type DocListQuery = z.infer<typeof docListQuery>;

/** `GET /v1/docs/{id}?heads=`: a past version. */
export const docGetQuery = z.object({ heads: z.string().max(100_000).optional() }).strict();

/** `GET /v1/docs/{id}/changes?since=`. */
export const docChangesQuery = z.object({ since: z.string().max(100_000).optional() }).strict();

/** `GET /v1/docs/{id}/sync-status?heads=`. */
export const docSyncStatusQuery = z.object({ heads: z.string().max(100_000) }).strict();

/** `POST /v1/docs` with a JSON body: the initial content (an object, as `Automerge.from` takes). */
export const docInitialJson = z.record(z.string(), z.unknown(), {
  message: "must be a JSON object (the document's initial content)",
});

/** How a new document starts. */
export type DocInit =
  | { readonly kind: "empty" }
  | { readonly kind: "json"; readonly value: Record<string, unknown> }
  | { readonly kind: "binary"; readonly bytes: Uint8Array };
