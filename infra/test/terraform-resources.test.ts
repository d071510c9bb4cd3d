import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ALERT_KINDS } from "@strata/core";
import { blocks, type Body, loadModules, locals, resources, type TfModule } from "./support/hcl.js";
import { REPO, TERRAFORM_DIR } from "./support/paths.js";

let all: TfModule[];
beforeAll(async () => {
  all = await loadModules(TERRAFORM_DIR);
});

function mod(name: string) {
  const m = all.find((x) => x.name === `modules/${name}`);
  if (!m) throw new Error(`no module ${name}`);
  return { m, res: resources(m), data: resources(m, "data") };
}

/** The resource, failing with the list of what the module has when it is missing. */
function get(r: Record<string, Body>, key: string): Body {
  expect(Object.keys(r), `resource ${key}`).toContain(key);
  return r[key]!;
}

const first = (v: unknown) => (Array.isArray(v) ? (v[0] as Body) : (v as Body));

/** Environment variable names Strata's node reads (apps/api/src/config). */
function nodeEnvNames(): Set<string> {
  const text = ["env.ts", "../tiering/tiering.env.ts"]
    .map((f) => readFileSync(join(REPO, "apps/api/src/config", f), "utf8"))
    .join("\n");
  return new Set(
    [...text.matchAll(/^\s+((?:STRATA|DATABASE|REDIS)_[A-Z_]+): /gm)].map((x) => x[1]!),
  );
}

describe("the resources the SaaS needs", () => {
  it("network: VPC, public and private subnets per zone, NAT, and only the needed paths open", () => {
    const { res } = mod("network");
    for (const k of [
      "aws_vpc.this",
      "aws_internet_gateway.this",
      "aws_subnet.public",
      "aws_subnet.private",
      "aws_nat_gateway.this",
      "aws_vpc_endpoint.s3",
      "aws_default_security_group.this",
    ])
      get(res, k);
    expect(get(res, "aws_subnet.private").count).toBe("${local.zone_count}");
    const ingress = Object.entries(res).filter(([k]) =>
      k.startsWith("aws_vpc_security_group_ingress_rule."),
    );
    // The internet reaches the ALB only; RDS and Redis only from the app tasks.
    for (const [k, r] of ingress) {
      if (r.cidr_ipv4 !== undefined)
        expect(r.security_group_id, k).toBe("${aws_security_group.alb.id}");
    }
    const into = (sg: string) =>
      ingress
        .filter(([, r]) => r.security_group_id === `\${aws_security_group.${sg}.id}`)
        .map(([, r]) => r);
    expect(into("database")).toEqual([
      expect.objectContaining({
        referenced_security_group_id: "${aws_security_group.app.id}",
        from_port: 5432,
      }),
    ]);
    expect(into("cache")).toEqual([
      expect.objectContaining({
        referenced_security_group_id: "${aws_security_group.app.id}",
        from_port: 6379,
      }),
    ]);
    expect(
      into("alb")
        .map((r) => r.from_port)
        .sort(),
    ).toEqual([443, 80]);
  });

  it("database: encrypted RDS PostgreSQL 15+, PITR backups, deletion protection, Performance Insights, Multi-AZ option, replica", () => {
    const { m, res } = mod("database");
    const db = get(res, "aws_db_instance.primary");
    expect(db).toMatchObject({
      engine: "postgres",
      storage_encrypted: true,
      publicly_accessible: false,
      performance_insights_enabled: true,
      multi_az: "${var.multi_az}",
      backup_retention_period: "${var.backup_retention_days}",
      deletion_protection: "${var.deletion_protection}",
      skip_final_snapshot: false,
      password: "${var.master_password}",
    });
    const inputs = blocks(m, "variable");
    expect(inputs.deletion_protection?.default).toBe(true);
    expect(inputs.backup_retention_days?.default).toBeGreaterThanOrEqual(7);
    expect(JSON.stringify(inputs.engine_version?.validation)).toContain(">= 15");
    const replica = get(res, "aws_db_instance.replica");
    expect(replica).toMatchObject({
      count: "${var.read_replica ? 1 : 0}",
      replicate_source_db: "${aws_db_instance.primary.identifier}",
      storage_encrypted: true,
    });
    // The settings Strata's guarantees rely on: durable = committed and flushed, TLS required.
    const params = Object.fromEntries(
      (locals(m).parameters as { name: string; value: string }[]).map((p) => [p.name, p.value]),
    );
    expect(params).toMatchObject({ synchronous_commit: "on", "rds.force_ssl": "1" });
    expect(params).toHaveProperty("max_wal_size");
    expect(get(res, "aws_db_parameter_group.this").family).toBe("postgres${local.major}");
  });

  it("cache: Redis replication group with TLS, at-rest encryption, AUTH and noeviction", () => {
    const { res } = mod("cache");
    expect(get(res, "aws_elasticache_replication_group.this")).toMatchObject({
      engine: "redis",
      at_rest_encryption_enabled: true,
      transit_encryption_enabled: true,
      auth_token: "${var.auth_token}",
      automatic_failover_enabled: "${var.replicas > 0}",
    });
    expect(first(get(res, "aws_elasticache_parameter_group.this").parameter)).toEqual({
      name: "maxmemory-policy",
      value: "noeviction",
    });
  });

  it("storage: versioned, encrypted, private bucket with lifecycle and a policy limited to the task role", () => {
    const { res, data } = mod("storage");
    expect(first(get(res, "aws_s3_bucket_versioning.this").versioning_configuration).status).toBe(
      "Enabled",
    );
    const sse = first(
      first(get(res, "aws_s3_bucket_server_side_encryption_configuration.this").rule)
        .apply_server_side_encryption_by_default,
    );
    expect(sse.sse_algorithm).toMatch(/AES256|aws:kms/);
    expect(get(res, "aws_s3_bucket_public_access_block.this")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const rules = get(res, "aws_s3_bucket_lifecycle_configuration.this").rule as Body[];
    expect(JSON.stringify(rules)).toContain('"storage_class":"STANDARD_IA"');
    const policy = JSON.stringify(get(data, "aws_iam_policy_document.bucket"));
    expect(policy).toContain("aws:SecureTransport");
    expect(policy).toContain("ArnNotEquals");
    expect(policy).toContain("${var.task_role_arn}");
    expect(get(res, "aws_s3_bucket_policy.this").policy).toBe(
      "${data.aws_iam_policy_document.bucket.json}",
    );
  });

  it("service: Fargate api/worker/admin, HTTPS ALB on /health/ready without stickiness, autoscaling on CPU and connections", () => {
    const { m, res } = mod("service");
    for (const k of [
      "aws_ecs_cluster.this",
      "aws_ecs_service.api",
      "aws_ecs_service.worker",
      "aws_ecs_service.admin",
      "aws_lb.this",
      "aws_lb_listener.https",
      "aws_appautoscaling_policy.api_cpu",
      "aws_appautoscaling_policy.api_connections",
      "aws_appautoscaling_policy.worker_cpu",
    ])
      get(res, k);
    expect(get(res, "aws_lb.this").idle_timeout).toBe("${var.idle_timeout_seconds}");
    expect(get(res, "aws_lb_listener.https")).toMatchObject({
      protocol: "HTTPS",
      certificate_arn: "${var.certificate_arn}",
    });
    const tg = get(res, "aws_lb_target_group.api");
    expect(first(tg.health_check)).toMatchObject({ path: "/health/ready", matcher: "200" });
    expect(first(tg.stickiness)).toMatchObject({ enabled: false });
    for (const s of ["api", "worker", "admin"]) {
      const svc = get(res, `aws_ecs_service.${s}`);
      expect(svc.deployment_minimum_healthy_percent, s).toBe(100);
      expect(first(svc.deployment_circuit_breaker), s).toEqual({ enable: true, rollback: true });
      expect(first(svc.network_configuration).assign_public_ip, s).toBe(false);
    }
    const node = get(res, "aws_ecs_task_definition.node");
    expect(Object.keys(node.for_each as object).sort()).toEqual(["api", "worker"]);
    const containers = String(node.container_definitions);
    expect(containers).toContain("STRATA_ROLE = each.key");
    expect(containers).toContain("stopTimeout = var.stop_timeout_seconds");
    expect(containers).toContain("awslogs");
    // /metrics takes the operator token: the collector scrapes with it, given as a secret.
    const collector = JSON.stringify(locals(m).collector);
    expect(collector).toContain("STRATA_ADMIN_TOKEN");
    expect(JSON.stringify(locals(m).collector_config)).toContain("$${env:STRATA_ADMIN_TOKEN}");
    expect(
      JSON.stringify(
        get(res, "aws_appautoscaling_policy.api_connections")
          .target_tracking_scaling_policy_configuration,
      ),
    ).toContain("ActiveConnectionCount");
    expect(
      JSON.stringify(
        get(res, "aws_appautoscaling_policy.api_cpu").target_tracking_scaling_policy_configuration,
      ),
    ).toContain("ECSServiceAverageCPUUtilization");
    // Every variable the task definitions set is one the node reads.
    const known = nodeEnvNames();
    const env = String(locals(m).node_environment);
    const names = [...env.matchAll(/\b([A-Z][A-Z0-9_]+) += /g)].map((x) => x[1]!);
    expect(names.length).toBeGreaterThan(5);
    for (const n of names) expect(known, `${n} is not read by the node`).toContain(n);
  });

  it("secrets: operator token, cluster secret, DB and Redis credentials in Secrets Manager, injected by name", () => {
    const { m, res } = mod("secrets");
    expect(Object.keys(locals(m).generated as object).sort()).toEqual([
      "cluster-secret",
      "database-password",
      "operator-token",
      "redis-auth-token",
    ]);
    get(res, "aws_secretsmanager_secret.generated");
    get(res, "aws_secretsmanager_secret.database_url");
    get(res, "aws_secretsmanager_secret.redis_url");
    expect(get(res, "aws_secretsmanager_secret_version.database_url").secret_string).toContain(
      "postgresql://",
    );
    expect(get(res, "aws_secretsmanager_secret_version.redis_url").secret_string).toContain(
      "rediss://",
    );
    const injected = Object.keys(blocks(m, "output").node_env_secret_arns?.value as object);
    const known = nodeEnvNames();
    for (const n of ["STRATA_ADMIN_TOKEN", "STRATA_CLUSTER_SECRET", "DATABASE_URL", "REDIS_URL"]) {
      expect(injected).toContain(n);
      expect(known).toContain(n);
    }
  });

  it("observability: log groups with retention, an SNS topic, alarms on every alert kind, lag, 5xx and RDS", () => {
    const { m, res } = mod("observability");
    expect(get(res, "aws_cloudwatch_log_group.this").retention_in_days).toBe(
      "${var.log_retention_days}",
    );
    get(res, "aws_sns_topic.alarms");
    // One alarm per alert kind the node raises, no more, no fewer.
    expect(Object.keys(locals(m).alert_kinds as object).sort()).toEqual([...ALERT_KINDS].sort());
    expect(get(res, "aws_cloudwatch_metric_alarm.alert").metric_name).toBe("strata_alerts_open");
    expect(get(res, "aws_cloudwatch_metric_alarm.consumer_lag").metric_name).toBe(
      "strata_consumer_lag_max_messages",
    );
    expect(JSON.stringify(get(res, "aws_cloudwatch_metric_alarm.api_5xx_rate"))).toContain(
      "HTTPCode_Target_5XX_Count",
    );
    expect(get(res, "aws_cloudwatch_metric_alarm.rds_cpu").metric_name).toBe("CPUUtilization");
    expect(get(res, "aws_cloudwatch_metric_alarm.rds_storage").metric_name).toBe(
      "FreeStorageSpace",
    );
    expect(get(res, "aws_cloudwatch_metric_alarm.rds_replica_lag").metric_name).toBe("ReplicaLag");
    for (const [k, a] of Object.entries(res).filter(([k]) =>
      k.startsWith("aws_cloudwatch_metric_alarm."),
    ))
      expect(a.alarm_actions, k).toBe("${local.actions}");
    // The gauges the alarms watch are ones the node exports.
    const metrics = readFileSync(join(REPO, "apps/api/src/metrics/ops-metrics.ts"), "utf8");
    expect(metrics).toContain('"strata_alerts_open"');
    expect(metrics).toContain('"strata_consumer_lag_max_messages"');
  });

  it("the example environment outputs the API and admin URLs, the bucket and the log groups", () => {
    const env = all.find((x) => x.name === "environments/example")!;
    const outputs = blocks(env, "output");
    for (const o of ["api_url", "admin_url", "bucket", "log_groups"])
      expect(outputs).toHaveProperty(o);
  });
});
