import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error s3rver ships no type declarations
import S3rver from "s3rver";

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The app's environment for this server. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver, from npm) on a free port, with its
 * files in a fresh temporary directory and one bucket.
 */
export async function startS3(bucket = "strata-test"): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), "strata-s3-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  }) as { run(): Promise<AddressInfo>; close(): Promise<void> };
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      STRATA_OBJECTS_DRIVER: "s3",
      STRATA_OBJECTS_ENDPOINT: endpoint,
      STRATA_OBJECTS_BUCKET: bucket,
      STRATA_OBJECTS_REGION: "us-east-1",
      STRATA_OBJECTS_ACCESS_KEY_ID: "S3RVER",
      STRATA_OBJECTS_SECRET_ACCESS_KEY: "S3RVER",
      STRATA_OBJECTS_FORCE_PATH_STYLE: "true",
    },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
