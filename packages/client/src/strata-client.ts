import { type FetchLike, HttpTransport } from "./http.js";
import { type Whoami } from "./types.js";

export interface StrataClientOptions {
  /** Where the API listens, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  /** A tenant API key, `sk_<prefix>_<secret>`. */
  readonly apiKey: string;
  readonly fetch?: FetchLike;
  /** Abandon a request after this long; 10 s when omitted. */
  readonly timeoutMs?: number;
}

/**
 * The tenant API, authenticated by an API key. Every method throws
 * StrataError when the API answers with an error and StrataConnectionError
 * when it cannot be reached.
 */
export class StrataClient {
  private readonly http: HttpTransport;

  constructor(options: StrataClientOptions) {
    this.http = new HttpTransport({ ...options, token: options.apiKey });
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** The tenant, key id, scopes and name patterns of the key in use. */
  whoami(): Promise<Whoami> {
    return this.http.request({ method: "GET", path: "/v1/whoami" });
  }
}
