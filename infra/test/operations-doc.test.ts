import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ALERT_KINDS } from "@strata/core";
import { loadModules, type TfModule, walk } from "./support/hcl.js";
import { REPO, TERRAFORM_DIR } from "./support/paths.js";

const doc = readFileSync(join(REPO, "docs/operations.md"), "utf8");

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes. */
const anchors = new Set(
  [...doc.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
    m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-"),
  ),
);

let all: TfModule[];
beforeAll(async () => {
  all = await loadModules(TERRAFORM_DIR);
});

describe("docs/operations.md", () => {
  it("has the runbook's sections", () => {
    for (const a of [
      "deploy-from-zero",
      "upgrade-with-rolling-restarts",
      "scale-nodes-up-and-down",
      "rotate-credentials",
      "restore-from-backup--point-in-time",
      "alarms",
      "past-one-primary",
      "capacity-model-10000-tenants-100000-messagess",
    ])
      expect(anchors, a).toContain(a);
    for (const t of [
      "operator token",
      "cluster secret",
      "tenant keys",
      "stream_id",
      "bucket_id",
      "doc_id",
    ])
      expect(doc.toLowerCase()).toContain(t);
  });

  it("explains every alarm the Terraform creates, at the anchor its description names", () => {
    const linked = new Set<string>();
    for (const m of all)
      walk(m, (key, value) => {
        if (key !== "alarm_description" || typeof value !== "string") return;
        for (const [, anchor] of value.matchAll(
          /docs\/operations\.md#(alarm-alert-\$\{|[a-z0-9-]+)/g,
        )) {
          // The per-kind alarm's anchor is a template over the alert kinds.
          if (anchor!.startsWith("alarm-alert-$"))
            ALERT_KINDS.forEach((k) => linked.add(`alarm-alert-${k.replace(/_/g, "-")}`));
          else linked.add(anchor!);
        }
      });
    expect(linked.size).toBeGreaterThan(10);
    for (const a of linked) expect(anchors, `docs/operations.md#${a}`).toContain(a);
  });
});
