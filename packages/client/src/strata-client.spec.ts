import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStubServer, type StubServer } from "../test/stub-server.js";
import { StrataError } from "./errors.js";
import { StrataClient } from "./strata-client.js";

describe(StrataClient.name, () => {
  let server: StubServer;

  beforeAll(async () => {
    server = await startStubServer();
  });
  afterAll(() => server.close());

  it("asks who the key belongs to, sending the key as a bearer token", async () => {
    const whoami = {
      tenant: { id: "t1", name: "acme" },
      key: { id: "k1" },
      scopes: ["streams:read"],
      patterns: [],
    };
    server.reply({ body: whoami });
    const client = new StrataClient({ baseUrl: server.url, apiKey: "sk_abc_def" });

    await expect(client.whoami()).resolves.toEqual(whoami);
    expect(server.requests.at(-1)).toMatchObject({ method: "GET", url: "/v1/whoami" });
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer sk_abc_def");
  });

  it("turns a 401 problem into a StrataError", async () => {
    server.reply({
      status: 401,
      headers: { "content-type": "application/problem+json" },
      body: JSON.stringify({
        type: "about:blank",
        title: "Unauthorized",
        status: 401,
        detail: "The API key has been revoked.",
        code: "unauthenticated",
        request_id: "req-1",
      }),
    });
    const client = new StrataClient({ baseUrl: server.url, apiKey: "sk_abc_def" });

    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrataError);
    expect(error).toMatchObject({
      status: 401,
      code: "unauthenticated",
      message: "The API key has been revoked.",
      requestId: "req-1",
    });
  });
});
