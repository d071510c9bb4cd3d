import { z } from "zod";

/** Unset and empty mean the same: take the default. */
const optional = (value: unknown) => (value === "" ? undefined : value);

const schema = z.object({
  /** Base URL of the Strata API the dashboard talks to (server side only). */
  STRATA_API_URL: z.preprocess(
    optional,
    z
      .url({
        protocol: /^https?$/,
        message: "must be an http(s) URL such as http://localhost:8080",
      })
      .default("http://localhost:8080"),
  ),
});

export type Env = z.infer<typeof schema>;

/** Validates `source` and names every bad key, so a misconfigured server fails at start. */
export function parseEnv(source: Readonly<Record<string, string | undefined>>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment for @strata/admin:\n${lines.join("\n")}`);
  }
  return result.data;
}

export const env: Env = parseEnv(process.env);
