import bs58check from "bs58check";
import { ValidationFailed } from "../errors.js";
import { type DocumentId } from "./documents.js";

const URL_PREFIX = "automerge:";
const ID_BYTES = 16;

/** The document id in `raw` (a bare id or an `automerge:<id>` URL), or null when it is not one. */
export function tryParseDocumentId(raw: string): DocumentId | null {
  let id = raw.trim();
  if (id.startsWith(URL_PREFIX)) id = id.slice(URL_PREFIX.length);
  // automerge-repo URLs may carry heads after a '#'; a document id never does.
  const hash = id.indexOf("#");
  if (hash >= 0) id = id.slice(0, hash);
  let bytes: Uint8Array;
  try {
    bytes = bs58check.decode(id);
  } catch {
    return null;
  }
  return bytes.byteLength === ID_BYTES ? (id as DocumentId) : null;
}

/** Parses a document id or `automerge:` URL; ValidationFailed naming `path` otherwise. */
export function parseDocumentId(raw: string, path = "path.id"): DocumentId {
  const id = tryParseDocumentId(raw);
  if (id === null) {
    throw new ValidationFailed([
      {
        path,
        message:
          "must be an automerge-repo document id (bs58check of 16 bytes) or an automerge: URL",
      },
    ]);
  }
  return id;
}

/** A fresh random document id, as `repo.create()` makes them. */
export function newDocumentId(): DocumentId {
  const bytes = new Uint8Array(ID_BYTES);
  globalThis.crypto.getRandomValues(bytes);
  return bs58check.encode(bytes) as DocumentId;
}

/** `automerge:<id>`, the form automerge-repo clients pass to `repo.find`. */
export function documentUrl(id: DocumentId): string {
  return `${URL_PREFIX}${id}`;
}
