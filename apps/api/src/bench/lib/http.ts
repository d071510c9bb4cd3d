import http from "node:http";

export type HttpCallback = (err: Error | null, status: number, body: Buffer) => void;

/**
 * A minimal keep-alive HTTP/1.1 client on node:http, callback-based so the
 * load generator spends as little CPU per request as possible.
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly headers: Readonly<Record<string, string>>,
    maxSockets = 16,
  ) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(
    method: string,
    path: string,
    body: Buffer | string | undefined,
    contentType: string | undefined,
    cb: HttpCallback,
    extraHeaders?: Readonly<Record<string, string>>,
  ): void {
    const headers: Record<string, string | number> = { ...this.headers, ...extraHeaders };
    if (body !== undefined) {
      headers["content-type"] = contentType ?? "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    const req = http.request(
      {
        host: this.url.hostname,
        port: this.url.port,
        method,
        path,
        agent: this.agent,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => cb(null, res.statusCode ?? 0, Buffer.concat(chunks)));
        res.on("error", (e) => cb(e, 0, Buffer.alloc(0)));
      },
    );
    req.on("error", (e) => cb(e, 0, Buffer.alloc(0)));
    req.end(body);
  }

  /** JSON in, JSON out; rejects on a non-2xx status with the response body. */
  json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
      this.request(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        undefined,
        (err, status, raw) => {
          if (err) return reject(err);
          const text = raw.toString("utf8");
          if (status < 200 || status >= 300)
            return reject(new Error(`${method} ${path} → ${status}: ${text.slice(0, 300)}`));
          resolve((text ? JSON.parse(text) : undefined) as T);
        },
      ),
    );
  }

  close(): void {
    this.agent.destroy();
  }
}
