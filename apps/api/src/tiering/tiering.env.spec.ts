import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config/env.js";

describe("tiering configuration", () => {
  it("defaults to a local directory under the data dir", () => {
    const c = loadConfig({ STRATA_DATA_DIR: "/var/lib/strata" });
    expect(c.tiering.objects).toEqual({ driver: "local", dir: "/var/lib/strata/objects" });
    expect(c.tiering).toMatchObject({
      tierAfterSeconds: 3600,
      tierMinMessages: 1000,
      docIdleSeconds: 86_400,
    });
    expect(loadConfig({ STRATA_TIER_DOC_IDLE_SECONDS: "600" }).tiering.docIdleSeconds).toBe(600);
  });

  it("reads the S3 settings", () => {
    const c = loadConfig({
      STRATA_OBJECTS_DRIVER: "s3",
      STRATA_OBJECTS_BUCKET: "strata-tiers",
      STRATA_OBJECTS_ENDPOINT: "http://127.0.0.1:9000",
      STRATA_OBJECTS_ACCESS_KEY_ID: "id",
      STRATA_OBJECTS_SECRET_ACCESS_KEY: "secret",
      STRATA_OBJECTS_FORCE_PATH_STYLE: "true",
      STRATA_OBJECTS_PREFIX: "prod/",
    });
    expect(c.tiering.objects).toEqual({
      driver: "s3",
      bucket: "strata-tiers",
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      credentials: { accessKeyId: "id", secretAccessKey: "secret" },
      forcePathStyle: true,
      prefix: "prod/",
    });
  });

  it("names what is missing or wrong for s3", () => {
    const err = (() => {
      try {
        loadConfig({ STRATA_OBJECTS_DRIVER: "s3", STRATA_OBJECTS_ACCESS_KEY_ID: "id" });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems.join("\n")).toMatch(/STRATA_OBJECTS_BUCKET: is required for s3/);
    expect(err.problems.join("\n")).toMatch(/STRATA_OBJECTS_SECRET_ACCESS_KEY/);
    expect(() => loadConfig({ STRATA_OBJECTS_DRIVER: "gcs" })).toThrow(/STRATA_OBJECTS_DRIVER/);
    expect(() => loadConfig({ STRATA_OBJECTS_PREFIX: "no-slash" })).toThrow(
      /STRATA_OBJECTS_PREFIX: must be empty or end with '\/'/,
    );
  });
});
