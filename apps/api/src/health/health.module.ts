import { Global, Module } from "@nestjs/common";
import { HttpMetrics } from "../metrics/http-metrics.js";
import { HealthController } from "./health.controller.js";
import { ReadinessProbe } from "./readiness.js";

@Global()
@Module({
  controllers: [HealthController],
  providers: [ReadinessProbe, HttpMetrics],
  exports: [ReadinessProbe, HttpMetrics],
})
export class HealthModule {}
