import { describe, expect, it } from "vitest";
import { redactUrl } from "./logging.js";

describe(redactUrl.name, () => {
  it("masks credential parameters and keeps the rest", () => {
    expect(redactUrl("/v1/ws?token=sk_abc_def&from_seq=3")).toBe("/v1/ws?token=***&from_seq=3");
    expect(redactUrl("/v1/whoami")).toBe("/v1/whoami");
  });
});
