import { type NestFastifyApplication } from "@nestjs/platform-fastify";
import { NotFound } from "@strata/core";
import { toProblem } from "../http/problem.js";

/** Paths a node serves whatever its roles: probes, metrics and the cluster's internal channel. */
const ALWAYS = [/^\/health\//, /^\/metrics(\?|$)/, /^\/internal\//];

/** Whether a node with these roles (`STRATA_ROLE`) serves the tenant and operator API. */
export function servesApi(roles: readonly string[]): boolean {
  return roles.includes("api");
}

/**
 * A node without the `api` role (`STRATA_ROLE=worker`) runs the queue
 * workers only: every request other than health, metrics and the internal
 * channel gets the same 404 as an unknown route, so a load balancer that
 * sends it tenant traffic by mistake gets nothing half-served. WebSocket
 * upgrades are turned away by the UpgradeRouter.
 */
export function gateApiRole(app: NestFastifyApplication, roles: readonly string[]): void {
  if (servesApi(roles)) return;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook("onRequest", async (request, reply) => {
      if (ALWAYS.some((p) => p.test(request.url))) return;
      // The path only: a query may hold a token.
      const path = request.url.split("?", 1)[0]!;
      const problem = toProblem(new NotFound("route", `${request.method} ${path}`));
      await reply.code(problem.status).type("application/problem+json").send(problem);
    });
}
