import { Controller, Get, Header, Res, UseGuards } from "@nestjs/common";
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from "@nestjs/swagger";
import { type FastifyReply } from "fastify";
import { HttpMetrics } from "../metrics/http-metrics.js";
import { MetricsGuard } from "./metrics.guard.js";
import { ReadinessProbe } from "./readiness.js";

@ApiTags("operations")
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessProbe,
    private readonly metrics: HttpMetrics,
  ) {}

  @Get("health/live")
  @ApiOperation({ summary: "The process is up" })
  live() {
    return { status: "ok" };
  }

  @Get("health/ready")
  @ApiOperation({ summary: "The database answers and migrations are applied (503 otherwise)" })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const r = await this.readiness.check();
    void reply.status(r.ready ? 200 : 503);
    return { status: r.ready ? "ready" : "not_ready", checks: r.checks };
  }

  @Get("metrics")
  @ApiExcludeEndpoint()
  @UseGuards(MetricsGuard)
  @Header("content-type", "text/plain; version=0.0.4; charset=utf-8")
  async prometheus() {
    return this.metrics.registry.metrics();
  }
}
