import { readFileSync } from "node:fs";

/** The API package's version, read once (dist/ and src/ both sit beside package.json's folder). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
