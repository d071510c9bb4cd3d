import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./env.js";

describe(loadConfig.name, () => {
  it("applies defaults and turns the demo tenant on only for the embedded database", () => {
    const embedded = loadConfig({});
    expect(embedded).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      roles: ["api", "worker"],
      demo: true,
    });
    const external = loadConfig({ DATABASE_URL: "postgres://u@h/db" });
    expect(external.demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: "postgres://u@h/db", STRATA_DEMO: "true" }).demo).toBe(true);
  });

  it("names every bad variable, without echoing secrets", () => {
    try {
      loadConfig({ STRATA_PORT: "99999", STRATA_ADMIN_TOKEN: "short", STRATA_LOG_LEVEL: "loud" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(3);
      expect(problems.join("\n")).toMatch(
        /STRATA_PORT: must be between 1 and 65535 \(got "99999"\)/,
      );
      expect(problems.join("\n")).toMatch(/STRATA_ADMIN_TOKEN: must be at least 16 characters/);
      expect(problems.join("\n")).not.toContain("short");
      expect(problems.join("\n")).toMatch(/STRATA_LOG_LEVEL/);
    }
  });

  it("reads the edge settings: origins, metrics access, client timeouts", () => {
    expect(loadConfig({})).toMatchObject({
      allowedOrigins: [],
      metricsPublic: false,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
    });
    const c = loadConfig({
      STRATA_ALLOWED_ORIGINS: " https://a.example, http://b.example:8443 ",
      STRATA_METRICS_PUBLIC: "true",
      STRATA_HEADERS_TIMEOUT_MS: "90000",
    });
    expect(c.allowedOrigins).toEqual(["https://a.example", "http://b.example:8443"]);
    expect(c.metricsPublic).toBe(true);
    // Node refuses a headers timeout above the request timeout.
    expect(c.headersTimeoutMs).toBe(60_000);
    expect(() => loadConfig({ STRATA_ALLOWED_ORIGINS: "https://a.example/path" })).toThrow(
      /STRATA_ALLOWED_ORIGINS: each origin must be \* or scheme:\/\/host\[:port\]/,
    );
  });
});
