import { join } from "node:path";
import { z } from "zod";

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** The object store and tiering variables (spread into the app's env schema). */
export const tieringEnv = {
  STRATA_OBJECTS_DRIVER: z
    .enum(["local", "s3"], { message: "must be local or s3" })
    .default("local"),
  /** local: the directory (default `<STRATA_DATA_DIR>/objects`). */
  STRATA_OBJECTS_DIR: z.string().min(1).optional(),
  STRATA_OBJECTS_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "must be an S3 bucket name" })
    .optional(),
  /** s3: a custom endpoint (MinIO, R2, GCS interop, s3rver); AWS when unset. */
  STRATA_OBJECTS_ENDPOINT: z.url({ message: "must be a URL" }).optional(),
  STRATA_OBJECTS_REGION: z.string().min(1).default("us-east-1"),
  STRATA_OBJECTS_ACCESS_KEY_ID: z.string().min(1).optional(),
  STRATA_OBJECTS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  STRATA_OBJECTS_FORCE_PATH_STYLE: z.stringbool({ error: "must be true or false" }).default(false),
  /** s3: a key prefix, so several deployments can share a bucket. */
  STRATA_OBJECTS_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)*$/, { message: "must be empty or end with '/'" })
    .default(""),
  STRATA_TIERING_INTERVAL_MS: int(1000, 60_000),
  STRATA_TIER_AFTER_SECONDS: int(0, 3600),
  STRATA_TIER_MIN_MESSAGES: int(1, 1000),
  STRATA_TIER_SEGMENT_MESSAGES: int(1, 10_000),
  STRATA_TIER_SEGMENT_BYTES: int(1024, 8 * 1024 * 1024),
  STRATA_TIER_CACHE_BYTES: int(0, 64 * 1024 * 1024),
  STRATA_TIER_ORPHAN_GRACE_SECONDS: int(0, 3600),
  /** A document with no write for this long has its latest snapshot moved to the object store. */
  STRATA_TIER_DOC_IDLE_SECONDS: int(0, 86_400),
  STRATA_RETENTION_INTERVAL_MS: int(1000, 30_000),
};

type TieringEnv = z.infer<ReturnType<typeof z.object<typeof tieringEnv>>>;

export type ObjectStoreConfig =
  | { readonly driver: "local"; readonly dir: string }
  | {
      readonly driver: "s3";
      readonly bucket: string;
      readonly endpoint: string | undefined;
      readonly region: string;
      readonly credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
      readonly forcePathStyle: boolean;
      readonly prefix: string;
    };

export interface TieringConfig {
  readonly objects: ObjectStoreConfig;
  readonly intervalMs: number;
  readonly tierAfterSeconds: number;
  readonly tierMinMessages: number;
  readonly segmentMessages: number;
  readonly segmentBytes: number;
  readonly cacheBytes: number;
  /** Unreferenced objects younger than this are left alone (a run may be about to record them). */
  readonly orphanGraceSeconds: number;
  /** Documents unwritten this long have their latest snapshot tiered. */
  readonly docIdleSeconds: number;
  readonly retentionIntervalMs: number;
}

/** Cross-field checks the schema cannot express; each problem names its variable. */
export function tieringProblems(e: Record<string, unknown>): string[] {
  if (e.STRATA_OBJECTS_DRIVER !== "s3") return [];
  const problems: string[] = [];
  if (!e.STRATA_OBJECTS_BUCKET) problems.push("STRATA_OBJECTS_BUCKET: is required for s3");
  if (Boolean(e.STRATA_OBJECTS_ACCESS_KEY_ID) !== Boolean(e.STRATA_OBJECTS_SECRET_ACCESS_KEY))
    problems.push(
      "STRATA_OBJECTS_SECRET_ACCESS_KEY: give both STRATA_OBJECTS_ACCESS_KEY_ID and STRATA_OBJECTS_SECRET_ACCESS_KEY, or neither",
    );
  return problems;
}

export function tieringConfig(e: TieringEnv, dataDir: string): TieringConfig {
  const objects: ObjectStoreConfig =
    e.STRATA_OBJECTS_DRIVER === "s3"
      ? {
          driver: "s3",
          bucket: e.STRATA_OBJECTS_BUCKET!,
          endpoint: e.STRATA_OBJECTS_ENDPOINT,
          region: e.STRATA_OBJECTS_REGION,
          credentials:
            e.STRATA_OBJECTS_ACCESS_KEY_ID && e.STRATA_OBJECTS_SECRET_ACCESS_KEY
              ? {
                  accessKeyId: e.STRATA_OBJECTS_ACCESS_KEY_ID,
                  secretAccessKey: e.STRATA_OBJECTS_SECRET_ACCESS_KEY,
                }
              : undefined,
          forcePathStyle: e.STRATA_OBJECTS_FORCE_PATH_STYLE,
          prefix: e.STRATA_OBJECTS_PREFIX,
        }
      : { driver: "local", dir: e.STRATA_OBJECTS_DIR ?? join(dataDir, "objects") };
  return {
    objects,
    intervalMs: e.STRATA_TIERING_INTERVAL_MS,
    tierAfterSeconds: e.STRATA_TIER_AFTER_SECONDS,
    tierMinMessages: e.STRATA_TIER_MIN_MESSAGES,
    segmentMessages: e.STRATA_TIER_SEGMENT_MESSAGES,
    segmentBytes: e.STRATA_TIER_SEGMENT_BYTES,
    cacheBytes: e.STRATA_TIER_CACHE_BYTES,
    orphanGraceSeconds: e.STRATA_TIER_ORPHAN_GRACE_SECONDS,
    docIdleSeconds: e.STRATA_TIER_DOC_IDLE_SECONDS,
    retentionIntervalMs: e.STRATA_RETENTION_INTERVAL_MS,
  };
}
