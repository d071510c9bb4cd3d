/** A tiny HTTP client for tests: one tenant key against one base URL. */
export class TenantClient {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
  ) {}

  request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const raw = body instanceof Uint8Array || typeof body === "string";
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined
          ? {}
          : { "content-type": raw ? "application/octet-stream" : "application/json" }),
        ...headers,
      },
      body:
        body === undefined ? undefined : raw ? (body as RequestInit["body"]) : JSON.stringify(body),
    });
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) {
    const res = await this.request(method, path, body, headers);
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  }

  createStream(name: string, config: Record<string, unknown> = {}) {
    return this.json("PUT", `/v1/streams/${name}`, config);
  }

  append(name: string, body: unknown, headers?: Record<string, string>, query = "") {
    return this.json<AppendAnswer>("POST", `/v1/streams/${name}/messages${query}`, body, headers);
  }

  async readAll(name: string, fromSeq = 1): Promise<ReadMessage[]> {
    const out: ReadMessage[] = [];
    let from = fromSeq;
    for (;;) {
      const { body } = await this.json<{ messages: ReadMessage[]; next_seq: number }>(
        "GET",
        `/v1/streams/${name}/messages?from_seq=${from}&limit=1000`,
      );
      if (body.messages.length === 0) return out;
      out.push(...body.messages);
      from = body.next_seq;
    }
  }
}

export interface AppendAnswer {
  seq: number;
  first_seq: number;
  last_seq: number;
  count: number;
  ts: string;
  ack: string;
  duplicate: boolean;
  code?: string;
  detail?: string;
}

export interface ReadMessage {
  seq: number;
  ts: string;
  headers: Record<string, string>;
  msg_id: string | null;
  value_base64: string;
}

export const text = (m: ReadMessage) => Buffer.from(m.value_base64, "base64").toString("utf8");
