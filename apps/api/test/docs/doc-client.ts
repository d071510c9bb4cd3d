import * as A from "@automerge/automerge";
import { TenantClient } from "../support/tenant-client.js";

export type Doc = A.Doc<Record<string, unknown>>;

/** A tenant client with document helpers; documents are edited locally with @automerge/automerge. */
export class DocClient extends TenantClient {
  async create(body?: unknown): Promise<{ id: string; url: string; heads: string[] }> {
    const res = await this.request("POST", "/v1/docs", body);
    if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
    const b = (await res.json()) as { document_id: string; url: string; heads: string[] };
    return { id: b.document_id, url: b.url, heads: b.heads };
  }

  /** The document as Automerge.save bytes, loaded. */
  async load(id: string): Promise<Doc> {
    const res = await this.request("GET", `/v1/docs/${id}`, undefined, {
      accept: "application/octet-stream",
    });
    if (res.status !== 200) throw new Error(`load: ${res.status} ${await res.text()}`);
    return A.load(new Uint8Array(await res.arrayBuffer()));
  }

  async content(id: string, heads?: readonly string[]) {
    const q = heads ? `?heads=${heads.join(",")}` : "";
    return this.json<{ content: Record<string, unknown>; heads: string[]; changes: number }>(
      "GET",
      `/v1/docs/${id}${q}`,
    );
  }

  async heads(id: string): Promise<string[]> {
    return (await this.json<{ heads: string[] }>("GET", `/v1/docs/${id}/heads`)).body.heads;
  }

  /** Posts the changes from `before` to `after`; returns the answer. */
  postChanges(id: string, changes: readonly Uint8Array[]) {
    return this.json<{ heads: string[]; code?: string }>(
      "POST",
      `/v1/docs/${id}/changes`,
      concat(changes),
    );
  }

  /** Edits the document locally (from `doc`) and posts the change; returns the new local doc. */
  async edit(id: string, doc: Doc, fn: (d: Record<string, unknown>) => void): Promise<Doc> {
    const next = A.change(A.clone(doc), fn);
    const res = await this.postChanges(id, A.getChanges(doc, next));
    if (res.status !== 200) throw new Error(`edit: ${res.status} ${JSON.stringify(res.body)}`);
    return next;
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p))));
}

export const sortedHeads = (doc: Doc) => [...A.getHeads(doc)].sort();
