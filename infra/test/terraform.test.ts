import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocks, loadModules, type TfModule } from "./support/hcl.js";
import { TERRAFORM_DIR } from "./support/paths.js";
import {
  moduleCallProblems,
  secretLiteralProblems,
  secretTextProblems,
  unresolvedReferences,
  variableProblems,
} from "./support/terraform-checks.js";

const MODULES = ["network", "database", "cache", "storage", "service", "secrets", "observability"];

let all: TfModule[];
const scratch: string[] = [];
beforeAll(async () => {
  all = await loadModules(TERRAFORM_DIR);
});
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

const byName = (name: string) => {
  const m = all.find((x) => x.name === name);
  if (!m) throw new Error(`no Terraform module ${name}`);
  return m;
};

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

describe("Terraform sources", () => {
  it("parse: every module and the example environment, each file with something in it", () => {
    expect(all.map((m) => m.name).sort()).toEqual(
      ["environments/example", ...MODULES.map((m) => `modules/${m}`)].sort(),
    );
    for (const m of all) {
      for (const f of m.files) expect(Object.keys(f.json).length, f.path).toBeGreaterThan(0);
    }
  });

  it("every var., local., module., data. and resource reference resolves", async () => {
    const problems = (await Promise.all(all.map((m) => unresolvedReferences(m, all)))).flat();
    expect(problems).toEqual([]);
  });

  it("every module call passes only declared inputs and every required one", () => {
    expect(all.flatMap((m) => moduleCallProblems(m, all))).toEqual([]);
    const env = byName("environments/example");
    expect(Object.keys(blocks(env, "module")).sort()).toEqual([...MODULES].sort());
  });

  it("every input has a type and a description, every output a description", () => {
    expect(all.flatMap(variableProblems)).toEqual([]);
  });

  it("pins Terraform and the AWS provider: ~> 5.100 in the environment, >= 5.100 < 6 in modules", () => {
    for (const m of all) {
      const settings = m.files.flatMap((f) => f.json.terraform ?? []);
      expect(settings, m.name).toHaveLength(1);
      const [tf] = settings as [{ required_version: string; required_providers: object[] }];
      expect(tf.required_version, m.name).toBe(">= 1.5");
      const aws = (tf.required_providers[0] as Record<string, { source: string; version: string }>)
        .aws;
      expect(aws?.source, m.name).toBe("hashicorp/aws");
      expect(aws?.version, m.name).toBe(
        m.name.startsWith("environments/") ? "~> 5.100" : ">= 5.100, < 6.0",
      );
      // Only the root configures the provider; every resource is an AWS one.
      if (m.name.startsWith("modules/")) expect(blocks(m, "provider"), m.name).toEqual({});
      for (const f of m.files)
        for (const type of Object.keys(f.json.resource ?? {})) expect(type).toMatch(/^aws_/);
    }
  });

  it("documents remote state (S3 + DynamoDB lock) in a commented backend block", () => {
    const versions = readFileSync(join(TERRAFORM_DIR, "environments/example/versions.tf"), "utf8");
    expect(versions).toMatch(/^\s*# backend "s3" \{/m);
    expect(versions).toMatch(/^\s*#\s+dynamodb_table\s+= "/m);
    expect(versions).toMatch(/^\s*#\s+encrypt\s+= true/m);
  });

  it("terraform.tfvars.example sets only declared variables and every required one", async () => {
    const env = byName("environments/example");
    const inputs = blocks(env, "variable");
    const [example] = await loadModules(
      (() => {
        const dir = tempDir("strata-tfvars-");
        const text = readFileSync(join(env.dir, "terraform.tfvars.example"), "utf8");
        writeFileSync(join(dir, "example.tf"), `locals {\n${text}\n}\n`);
        return dir;
      })(),
    );
    const set = Object.keys(Object.assign({}, ...(example?.files[0]?.json.locals ?? [])));
    for (const name of set) expect(inputs, `tfvars sets undeclared "${name}"`).toHaveProperty(name);
    const required = Object.entries(inputs).filter(([, b]) => !("default" in b));
    for (const [name] of required) expect(set, `tfvars leaves out "${name}"`).toContain(name);
  });

  it("holds no secret literal: credential attributes are expressions, credential inputs sensitive", () => {
    expect(all.flatMap(secretLiteralProblems)).toEqual([]);
    for (const m of all)
      for (const f of m.files)
        expect(secretTextProblems(f.path, readFileSync(f.path, "utf8"))).toEqual([]);
    const tfvars = join(TERRAFORM_DIR, "environments/example/terraform.tfvars.example");
    expect(secretTextProblems(tfvars, readFileSync(tfvars, "utf8"))).toEqual([]);
  });
});

describe("the checks themselves", () => {
  it("catch an unknown reference, a bad module call, an undescribed input and a literal password", async () => {
    const root = tempDir("strata-bad-tf-");
    mkdirSync(join(root, "child"));
    writeFileSync(
      join(root, "child", "main.tf"),
      `variable "needed" {\n  type        = string\n  description = "A required input."\n}\n`,
    );
    writeFileSync(
      join(root, "main.tf"),
      [
        `variable "undescribed" { type = string }`,
        `variable "db_password" {\n  type        = string\n  description = "A password with a default."\n  default     = "x"\n}`,
        `module "c" {\n  source = "./child"\n  extra  = 1\n}`,
        `resource "aws_db_instance" "db" {\n  password   = "hunter2hunter2"\n  identifier = var.missing\n  tags       = { a = aws_vpc.nope.id, b = module.c.nothing, c = local.gone }\n}`,
        `output "url" { value = "postgres://strata:hunter2@db:5432/strata" }`,
      ].join("\n"),
    );
    const bad = await loadModules(root);
    const parent = bad.find((m) => m.name === "")!;
    const refs = await unresolvedReferences(parent, bad);
    expect(refs.join("\n")).toMatch(/var\.missing: no variable/);
    expect(refs.join("\n")).toMatch(/aws_vpc\.nope\.id: no resource/);
    expect(refs.join("\n")).toMatch(/module\.c\.nothing: child has no output/);
    expect(refs.join("\n")).toMatch(/local\.gone: no local/);
    expect(moduleCallProblems(parent, bad).join("\n")).toMatch(
      /passes "extra"[\s\S]*leaves out required input "needed"/,
    );
    expect(variableProblems(parent).join("\n")).toMatch(/"undescribed" has no description/);
    const secrets = secretLiteralProblems(parent).join("\n");
    expect(secrets).toMatch(/"password" is a literal/);
    expect(secrets).toMatch(/"db_password" has a default/);
    expect(secretTextProblems("main.tf", readFileSync(join(root, "main.tf"), "utf8"))).toEqual([
      "main.tf: contains a URL with a password",
    ]);
  });
});

// fmt and validate need the binary (and validate the AWS provider, from a local mirror);
// without them these checks do not run, and nothing is counted for them.
const terraform = (process.env.PATH ?? "")
  .split(delimiter)
  .map((d) => join(d, "terraform"))
  .find((p) => existsSync(p));
const PLUGIN_MIRROR = process.env.STRATA_TF_PLUGIN_MIRROR ?? "/opt/tf-plugins";

if (!terraform) {
  console.log(
    "terraform fmt/validate NOT RUN: no terraform binary on PATH (not counted as a pass)",
  );
} else {
  describe("terraform CLI", () => {
    const run = (args: string[], cwd: string, env: Record<string, string> = {}) =>
      execFileSync(terraform, args, {
        cwd,
        encoding: "utf8",
        env: { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", ...env },
        stdio: ["ignore", "pipe", "pipe"],
        // Fail (rather than block the run) if terraform hangs.
        timeout: 50_000,
      });

    it("fmt -check -recursive finds nothing to reformat", () => {
      expect(run(["fmt", "-check", "-recursive", "-no-color"], TERRAFORM_DIR)).toBe("");
    });

    if (!existsSync(PLUGIN_MIRROR)) {
      console.log(
        `terraform validate NOT RUN: no provider mirror at ${PLUGIN_MIRROR} (set STRATA_TF_PLUGIN_MIRROR; not counted as a pass)`,
      );
    } else {
      it("init -backend=false from the provider mirror, then validate the example environment", () => {
        const work = tempDir("strata-tf-");
        cpSync(TERRAFORM_DIR, work, {
          recursive: true,
          filter: (src) => !src.includes(".terraform"),
        });
        const cli = join(work, "cli.tfrc");
        writeFileSync(
          cli,
          `provider_installation {\n  filesystem_mirror {\n    path    = "${PLUGIN_MIRROR}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
        );
        const env = { TF_CLI_CONFIG_FILE: cli, TF_DATA_DIR: join(work, ".terraform-data") };
        const example = join(work, "environments/example");
        run(["init", "-backend=false", "-input=false", "-no-color"], example, env);
        expect(run(["validate", "-no-color"], example, env)).toMatch(
          /Success! The configuration is valid/,
        );
      }, 60_000);
    }
  });
}
