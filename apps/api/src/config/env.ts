import { hostname } from "node:os";
import { z } from "zod";
import {
  tieringConfig,
  tieringEnv,
  tieringProblems,
  type TieringConfig,
} from "../tiering/tiering.env.js";

const port = z.coerce
  .number({ message: "must be a port number" })
  .int({ message: "must be a whole number" })
  .min(1, { message: "must be between 1 and 65535" })
  .max(65535, { message: "must be between 1 and 65535" });

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/.+/, { message: "must be a postgres:// or postgresql:// URL" });

const ROLES = ["api", "worker"] as const;

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** `*`, or origins (scheme://host[:port], no path) separated by commas. */
const origins = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine((o) => o === "*" || ORIGIN.test(o), {
        message: "each origin must be * or scheme://host[:port] (no path), comma-separated",
      }),
    ),
  );

const millis = (min: number, max: number) =>
  z.coerce.number({ message: "must be a number of milliseconds" }).int().min(min).max(max);

/**
 * Every environment variable Strata reads, validated once at start.
 * Nothing else reads `process.env`; the rest of the app receives `AppConfig`.
 */
export const envSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, { message: "must be a redis:// or rediss:// URL" })
    .optional(),
  STRATA_HOST: z.string().min(1).default("0.0.0.0"),
  STRATA_PORT: port.default(8080),
  STRATA_DATA_DIR: z.string().min(1).default(".strata"),
  STRATA_ADMIN_TOKEN: z.string().min(16, { message: "must be at least 16 characters" }).optional(),
  STRATA_ADMIN_URL: z.url({ message: "must be a URL" }).default("http://localhost:3000"),
  STRATA_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info"),
  STRATA_BODY_LIMIT_BYTES: z.coerce
    .number({ message: "must be a number of bytes" })
    .int()
    .min(1024, { message: "must be at least 1024" })
    .max(1024 ** 3, { message: "must be at most 1 GiB" })
    .default(8 * 1024 * 1024),
  STRATA_ROLE: z
    .string()
    .default("api,worker")
    .transform((s) => s.split(",").map((r) => r.trim()))
    .pipe(
      z.array(z.enum(ROLES, { message: `each role must be one of: ${ROLES.join(", ")}` })).min(1),
    ),
  STRATA_DEMO: z.stringbool({ error: "must be true or false" }).optional(),
  STRATA_BANNER: z.stringbool({ error: "must be true or false" }).default(true),
  STRATA_KEY_CACHE_MS: z.coerce
    .number({ message: "must be a number of milliseconds" })
    .int()
    .min(0)
    .max(5000, { message: "must be at most 5000 (a revoked key must stop working within 5 s)" })
    .default(2000),
  STRATA_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  STRATA_CLUSTER_SECRET: z
    .string()
    .min(16, { message: "must be at least 16 characters" })
    .optional(),
  STRATA_ADVERTISE_URL: z
    .url({ message: "must be a URL other nodes can reach this node at" })
    .optional(),
  STRATA_NODE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, {
      message: "must be 1–100 characters of letters, digits, '.', '_', ':' or '-'",
    })
    .optional(),
  STRATA_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, {
      message: "must be 1–64 characters of letters, digits, '_', '.', ':' or '-'",
    })
    .default("strata"),
  STRATA_FORWARD_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  STRATA_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  STRATA_LEASE_TTL_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  STRATA_REBALANCE_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  STRATA_REBALANCE_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  STRATA_REBALANCE_SHARE: z.coerce.number().min(0.001).max(1).default(0.1),
  STRATA_LAG_ALERT_MESSAGES: z.coerce.number().int().min(1).default(10_000),
  STRATA_COMMIT_BATCH: z.coerce.number().int().min(1).max(20_000).default(1000),
  STRATA_COMMITS_IN_FLIGHT: z.coerce.number().int().min(1).max(16).default(4),
  STRATA_DOC_MAX_BYTES: z.coerce.number().int().min(1024).default(67_108_864),
  STRATA_DOC_CACHE_BYTES: z.coerce.number().int().min(0).default(268_435_456),
  STRATA_DOC_IDLE_MS: z.coerce.number().int().min(1000).default(600_000),
  STRATA_DOC_COMPACT_CHANGES: z.coerce.number().int().min(1).default(1000),
  STRATA_DOC_COMPACT_BYTES: z.coerce.number().int().min(1).default(4_194_304),
  STRATA_DOC_COMPACT_IDLE_MS: z.coerce.number().int().min(1000).default(300_000),
  STRATA_ALLOWED_ORIGINS: origins.default([]),
  STRATA_METRICS_PUBLIC: z.stringbool({ error: "must be true or false" }).default(false),
  STRATA_HEADERS_TIMEOUT_MS: millis(100, 600_000).default(10_000),
  STRATA_REQUEST_TIMEOUT_MS: millis(100, 3_600_000).default(60_000),
  ...tieringEnv,
});

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly adminToken: string | undefined;
  readonly adminUrl: string;
  readonly logLevel: Env["STRATA_LOG_LEVEL"];
  readonly bodyLimitBytes: number;
  readonly roles: readonly (typeof ROLES)[number][];
  /** Create a demo tenant and key on first start; defaults to on for the embedded database. */
  readonly demo: boolean;
  /** Print the start-up banner (URLs and credentials). */
  readonly banner: boolean;
  readonly keyCacheMs: number;
  readonly dbPoolSize: number;
  readonly clusterSecret: string | undefined;
  /** How other nodes reach this one; defaults to http://127.0.0.1:<port>. */
  readonly advertiseUrl: string;
  /** Stable name of this node (placement prefers it for the same resources after a restart). */
  readonly nodeName: string;
  /** Namespace of this deployment's keys and channels in Redis (several deployments may share one). */
  readonly redisPrefix: string;
  /** Tries of a forwarded owner operation before the client gets the (retryable) error. */
  readonly forwardAttempts: number;
  readonly heartbeatMs: number;
  /** Node lease TTL; must comfortably exceed the heartbeat interval. */
  readonly leaseTtlMs: number;
  readonly rebalanceIntervalMs: number;
  /** A placement younger than this does not move (no ping-pong after a join). */
  readonly rebalanceCooldownMs: number;
  /** Most of a node's placements that move in one round. */
  readonly rebalanceShare: number;
  /** A consumer this many messages behind raises a `lag` alert. */
  readonly lagAlertMessages: number;
  /** Most messages in one group-commit transaction. */
  readonly commitBatch: number;
  readonly commitsInFlight: number;
  /** Documents: size limit, loaded-document cache, idle eviction, compaction triggers. */
  readonly docs: {
    readonly maxBytes: number;
    readonly cacheBytes: number;
    readonly idleMs: number;
    readonly compactChanges: number;
    readonly compactBytes: number;
    readonly compactIdleMs: number;
  };
  /** Object store, tiering and retention (apps/api/src/tiering/tiering.env.ts). */
  readonly tiering: TieringConfig;
  /**
   * Browser origins (beside the node's own and the admin's) allowed to open WebSockets;
   * `*` allows any. Clients that send no Origin (not browsers) are always allowed.
   */
  readonly allowedOrigins: readonly string[];
  /** Serve /metrics without the operator token (e.g. a scraper on a private network). */
  readonly metricsPublic: boolean;
  /** Most time a client may take to send a request's headers, and the whole request. */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment or throws ConfigError naming every bad variable and why. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? "environment");
        const got = env[key];
        const shown =
          got === undefined
            ? ""
            : ` (got ${JSON.stringify(key.includes("TOKEN") || key.includes("URL") ? "…" : got)})`;
        return `${key}: ${issue.message}${shown}`;
      }),
    );
  }
  const e = result.data;
  const crossField = tieringProblems(e);
  if (crossField.length > 0) throw new ConfigError(crossField);
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    host: e.STRATA_HOST,
    port: e.STRATA_PORT,
    dataDir: e.STRATA_DATA_DIR,
    adminToken: e.STRATA_ADMIN_TOKEN,
    adminUrl: e.STRATA_ADMIN_URL,
    logLevel: e.STRATA_LOG_LEVEL,
    bodyLimitBytes: e.STRATA_BODY_LIMIT_BYTES,
    roles: e.STRATA_ROLE,
    demo: e.STRATA_DEMO ?? e.DATABASE_URL === undefined,
    banner: e.STRATA_BANNER,
    keyCacheMs: e.STRATA_KEY_CACHE_MS,
    dbPoolSize: e.STRATA_DB_POOL_SIZE,
    clusterSecret: e.STRATA_CLUSTER_SECRET,
    advertiseUrl: e.STRATA_ADVERTISE_URL ?? `http://127.0.0.1:${e.STRATA_PORT}`,
    nodeName: e.STRATA_NODE_NAME ?? `${hostname()}:${e.STRATA_PORT}`,
    redisPrefix: e.STRATA_REDIS_PREFIX,
    forwardAttempts: e.STRATA_FORWARD_ATTEMPTS,
    heartbeatMs: e.STRATA_HEARTBEAT_MS,
    leaseTtlMs: e.STRATA_LEASE_TTL_MS,
    rebalanceIntervalMs: e.STRATA_REBALANCE_INTERVAL_MS,
    rebalanceCooldownMs: e.STRATA_REBALANCE_COOLDOWN_MS,
    rebalanceShare: e.STRATA_REBALANCE_SHARE,
    lagAlertMessages: e.STRATA_LAG_ALERT_MESSAGES,
    commitBatch: e.STRATA_COMMIT_BATCH,
    commitsInFlight: e.STRATA_COMMITS_IN_FLIGHT,
    docs: {
      maxBytes: e.STRATA_DOC_MAX_BYTES,
      cacheBytes: e.STRATA_DOC_CACHE_BYTES,
      idleMs: e.STRATA_DOC_IDLE_MS,
      compactChanges: e.STRATA_DOC_COMPACT_CHANGES,
      compactBytes: e.STRATA_DOC_COMPACT_BYTES,
      compactIdleMs: e.STRATA_DOC_COMPACT_IDLE_MS,
    },
    tiering: tieringConfig(e, e.STRATA_DATA_DIR),
    allowedOrigins: e.STRATA_ALLOWED_ORIGINS,
    metricsPublic: e.STRATA_METRICS_PUBLIC,
    headersTimeoutMs: Math.min(e.STRATA_HEADERS_TIMEOUT_MS, e.STRATA_REQUEST_TIMEOUT_MS),
    requestTimeoutMs: e.STRATA_REQUEST_TIMEOUT_MS,
  };
}
