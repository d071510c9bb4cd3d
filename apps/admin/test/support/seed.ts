import { type DashboardHarness } from "./dashboard-harness";

/**
 * Tenants `acme` (with data) and `globex` (empty): a stream `orders.eu` of
 * three messages (JSON, text, JSON) with a consumer `billing` one behind the
 * first, streams `events.0`–`events.5` of one message each, and a bucket
 * `config` keeping 5 revisions (`app/a` written twice). Returns acme's key.
 */
export async function seedAcme(h: DashboardHarness): Promise<string> {
  const tenant = await h.api<{ id: string }>("POST", "/v1/admin/tenants", { name: "acme" });
  await h.api("POST", "/v1/admin/tenants", { name: "globex" });
  const key = (
    await h.api<{ secret: string }>("POST", `/v1/admin/tenants/${tenant.body.id}/keys`, {
      name: "seed",
      scopes: ["streams:read", "streams:write", "kv:read", "kv:write"],
    })
  ).body.secret;
  const as = { key };
  const raw = { key, raw: true };
  await h.api("PUT", "/v1/streams/orders.eu", {}, as);
  await h.api(
    "POST",
    "/v1/streams/orders.eu/messages",
    { value_json: { order: 1, sku: "A-1" } },
    as,
  );
  await h.api("POST", "/v1/streams/orders.eu/messages", "plain text order", raw);
  await h.api("POST", "/v1/streams/orders.eu/messages", { value_json: { order: 3 } }, as);
  await h.api("PUT", "/v1/streams/orders.eu/consumers/billing", { acked_seq: 1 }, as);
  for (let i = 0; i < 6; i++) {
    await h.api("PUT", `/v1/streams/events.${i}`, {}, as);
    await h.api("POST", `/v1/streams/events.${i}/messages`, `e${i}`, raw);
  }
  await h.api("PUT", "/v1/kv/config", { history: 5 }, as);
  for (const [k, v] of [
    ["app/a", '{"feature":"on"}'],
    ["app/b", "2"],
    ["app/c", "3"],
    ["db/url", "postgres://db-1"],
    ["app/a", '{"feature":"off"}'],
  ] as const)
    await h.api("PUT", `/v1/kv/config/keys/${k}`, v, raw);
  return key;
}
