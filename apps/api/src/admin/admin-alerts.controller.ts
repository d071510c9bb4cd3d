import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { type Alert, ALERT_KINDS, NotFound } from "@strata/core";
import { AlertStorePg } from "@strata/db";
import { z } from "zod";
import { OperatorGuard } from "./operator.guard.js";

const alertsQuery = z.strictObject({
  open: z.stringbool().optional(),
  kind: z.enum(ALERT_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const alertId = { schema: z.coerce.number().int().min(1) };

function alertJson(a: Alert) {
  return {
    id: a.id,
    kind: a.kind,
    resource: a.resource,
    tenant_id: a.tenantId,
    message: a.message,
    details: a.details,
    first_seen_at: a.firstSeenAt.toISOString(),
    last_seen_at: a.lastSeenAt.toISOString(),
    count: a.count,
    acknowledged_at: a.acknowledgedAt?.toISOString() ?? null,
    acknowledged_by: a.acknowledgedBy,
    resolved_at: a.resolvedAt?.toISOString() ?? null,
  };
}

@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/alerts")
@UseGuards(OperatorGuard)
export class AdminAlertsController {
  constructor(private readonly alerts: AlertStorePg) {}

  @Get()
  @ApiOperation({
    summary: "Alerts (split-brain, node down, fenced writes, lag, job failures), newest first",
  })
  async list(@Query({ schema: alertsQuery }) q: z.infer<typeof alertsQuery>) {
    const items = await this.alerts.list(q);
    return { items: items.map(alertJson), open: items.filter((a) => !a.resolvedAt).length };
  }

  @Post(":id/acknowledge")
  @HttpCode(200)
  async acknowledge(@Param("id", alertId) id: number) {
    const a = await this.alerts.acknowledge(id, "operator");
    if (!a) throw new NotFound("alert", String(id));
    return alertJson(a);
  }

  @Post(":id/resolve")
  @HttpCode(200)
  async resolve(@Param("id", alertId) id: number) {
    const a = await this.alerts.resolve(id);
    if (!a) throw new NotFound("alert", String(id));
    return alertJson(a);
  }
}
