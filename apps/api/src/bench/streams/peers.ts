import { Redis } from "ioredis";
import { connect, type NatsConnection, RetentionPolicy, StorageType } from "nats";
import { closedLoop, type LoadResult, type LoadWindow } from "../lib/load.js";
import { payload } from "./setup.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const NATS_URL = process.env.NATS_URL ?? "127.0.0.1:4222";

const KEY_PREFIX = "strata-bench:";

export interface PeerCase extends LoadWindow {
  readonly streams: number;
  readonly size: number;
}

/**
 * Redis Streams `XADD` to `streams` keys, explicit pipelines of `pipeline`
 * commands with `inFlight` pipelines outstanding. The keys are deleted after.
 */
export async function redisXadd(
  c: PeerCase & { pipeline: number; inFlight: number },
): Promise<LoadResult> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const keys = Array.from({ length: c.streams }, (_, i) => `${KEY_PREFIX}${i}`);
  const value = payload(c.size);
  let turn = 0;
  try {
    return await closedLoop({
      ...c,
      op: (done) => {
        const p = redis.pipeline();
        for (let i = 0; i < c.pipeline; i++) p.xadd(keys[turn++ % keys.length]!, "*", "v", value);
        p.exec().then(
          (replies) => {
            const failed = replies?.find(([err]) => err);
            if (failed) done(failed[0]);
            else done(null, c.pipeline, c.pipeline * c.size);
          },
          (err: unknown) => done(err),
        );
      },
    });
  } finally {
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
  }
}

/**
 * Redis Streams `XADD` one command at a time, `inFlight` outstanding: the
 * shape of a client that waits for each append's answer (as Strata's
 * single appends do), unlike `redisXadd`'s explicit pipelines.
 */
export async function redisXaddSingles(c: PeerCase & { inFlight: number }): Promise<LoadResult> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const keys = Array.from({ length: c.streams }, (_, i) => `${KEY_PREFIX}${i}`);
  const value = payload(c.size);
  let turn = 0;
  try {
    return await closedLoop({
      ...c,
      op: (done) => {
        redis.xadd(keys[turn++ % keys.length]!, "*", "v", value).then(
          () => done(null, 1, c.size),
          (err: unknown) => done(err),
        );
      },
    });
  } finally {
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
  }
}

/**
 * NATS JetStream acked publish to `streams` subjects of one file-backed
 * stream (`bench.>`), `inFlight` publishes outstanding. The stream is deleted after.
 */
export async function natsPublish(c: PeerCase & { inFlight: number }): Promise<LoadResult> {
  const nc: NatsConnection = await connect({ servers: NATS_URL, timeout: 5000 });
  const name = `STRATA_BENCH_${process.pid}`;
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(name).catch(() => undefined);
  await jsm.streams.add({
    name,
    subjects: ["bench.>"],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
  });
  const js = nc.jetstream({ timeout: 30_000 });
  const subjects = Array.from({ length: c.streams }, (_, i) => `bench.s${i}`);
  const value = payload(c.size);
  let turn = 0;
  try {
    return await closedLoop({
      ...c,
      op: (done) => {
        js.publish(subjects[turn++ % subjects.length]!, value).then(
          () => done(null, 1, c.size),
          (err: unknown) => done(err),
        );
      },
    });
  } finally {
    await jsm.streams.delete(name).catch(() => undefined);
    await nc.drain().catch(() => undefined);
  }
}
