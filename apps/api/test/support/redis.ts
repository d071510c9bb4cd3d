import { Redis } from "ioredis";

/** The Redis the tests use: REDIS_URL, else this machine's on 127.0.0.1:6379. Fails with how to start it. */
export async function requireRedis(): Promise<string> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return url;
  } catch (err) {
    throw new Error(
      `Redis is not reachable at ${url} (${(err as Error).message}). Start it with: ` +
        `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no — or set REDIS_URL.`,
    );
  } finally {
    client.disconnect();
  }
}
