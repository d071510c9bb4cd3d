import { Inject, Injectable, Logger } from "@nestjs/common";
import { AlertStorePg, ClusterAdminPg, nodeName, NodeRegistryPg } from "@strata/db";
import { RUNTIME, type Runtime } from "../config/runtime.js";

/**
 * The `heartbeat-monitor` job: declares nodes whose lease expired dead (their
 * placements are released so survivors claim them), marks late ones suspect,
 * raises and resolves `node_down` alerts, and raises `lag` alerts for
 * consumers too far behind. Idempotent: running it twice changes nothing more.
 */
@Injectable()
export class HeartbeatMonitor {
  private readonly logger = new Logger("heartbeat-monitor");

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly registry: NodeRegistryPg,
    private readonly alerts: AlertStorePg,
    private readonly admin: ClusterAdminPg,
  ) {}

  async run(): Promise<void> {
    const { dead, suspect } = await this.registry.sweep(this.runtime.config.heartbeatMs * 3);
    for (const id of dead) {
      this.logger.warn({ node: id }, "node declared dead");
      await this.alerts.raise({
        kind: "node_down",
        resource: `node:${nodeName(id)}`,
        message: `Node ${id} stopped renewing its lease; it was declared dead and its resources were released.`,
        details: { node_id: id },
      });
    }
    if (suspect.length > 0)
      this.logger.warn({ nodes: suspect }, "nodes are late with their heartbeat");
    const alive = new Set(await this.registry.aliveNames());
    for (const open of await this.alerts.list({ open: true, kind: "node_down", limit: 1000 })) {
      if (alive.has(open.resource.slice("node:".length)))
        await this.alerts.resolveOpen("node_down", open.resource);
    }
    await this.checkLag();
  }

  private async checkLag(): Promise<void> {
    const threshold = this.runtime.config.lagAlertMessages;
    const behind = await this.admin.consumerLag(threshold);
    const raised = new Set<string>();
    for (const c of behind) {
      const resource = `consumer:${c.streamId}/${c.consumer}`;
      raised.add(resource);
      await this.alerts.raise({
        kind: "lag",
        resource,
        tenantId: c.tenantId,
        message: `Consumer '${c.consumer}' of stream '${c.stream}' (tenant ${c.tenantName}) is ${c.lag} messages behind.`,
        details: {
          tenant: c.tenantName,
          stream: c.stream,
          consumer: c.consumer,
          lag: c.lag,
          head: c.head,
          threshold,
        },
      });
    }
    for (const open of await this.alerts.list({ open: true, kind: "lag", limit: 1000 })) {
      if (!raised.has(open.resource)) await this.alerts.resolveOpen("lag", open.resource);
    }
  }
}
