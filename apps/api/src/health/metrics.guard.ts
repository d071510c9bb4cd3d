import { type ExecutionContext, Inject, Injectable } from "@nestjs/common";
import { OperatorGuard } from "../admin/operator.guard.js";
import { RUNTIME, type Runtime } from "../config/runtime.js";

/**
 * /metrics tells whoever reads it the node's traffic, alerts and lag, so it
 * takes the operator token unless STRATA_METRICS_PUBLIC says the listener is private.
 */
@Injectable()
export class MetricsGuard extends OperatorGuard {
  private readonly isPublic: boolean;

  constructor(@Inject(RUNTIME) runtime: Runtime) {
    super(runtime);
    this.isPublic = runtime.config.metricsPublic;
  }

  override canActivate(context: ExecutionContext): boolean {
    return this.isPublic || super.canActivate(context);
  }
}
