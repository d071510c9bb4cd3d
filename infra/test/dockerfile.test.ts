import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Healthcheck, type Instruction, type JSONInstruction } from "dockerfile-ast";
import { beforeAll, describe, expect, it } from "vitest";
import {
  copies,
  dockerignored,
  environment,
  execForm,
  healthcheckCommand,
  lineage,
  loadDockerfile,
  ofKind,
  type Stage,
  stageNamed,
} from "./support/dockerfile.js";
import { DOCKERIGNORE, REPO } from "./support/paths.js";
import { secretTextProblems } from "./support/terraform-checks.js";

const TARGETS = ["api", "admin"] as const;
let stages: Stage[];
beforeAll(() => {
  ({ stages } = loadDockerfile());
});

const runs = (s: readonly Stage[]) =>
  ofKind<Instruction>(s, "RUN").map((r) => r.getArgumentsContent() ?? "");

describe("infra/docker/Dockerfile", () => {
  it("parses into multi-stage targets api and admin, built apart from the build stage", () => {
    expect(stages.map((s) => s.name)).toEqual(["base", "manifests", "build", "api", "admin"]);
    for (const t of TARGETS)
      expect(lineage(stageNamed(stages, t)).map((s) => s.name)).not.toContain("build");
  });

  it("starts from an exact Node 20 bookworm-slim tag (no latest, no floating major)", () => {
    const engines = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).engines
      .node as string;
    const [, minMinor] = /^>=20\.(\d+)/.exec(engines) ?? [];
    for (const s of stages.filter((x) => !x.parent)) {
      const m = /^node:20\.(\d+)\.(\d+)-bookworm-slim$/.exec(s.from);
      expect(m, `FROM ${s.from}`).not.toBeNull();
      expect(
        Number(m![1]),
        "Node minor at least what package.json engines asks",
      ).toBeGreaterThanOrEqual(Number(minMinor));
    }
  });

  for (const target of TARGETS) {
    it(`${target}: runs as a non-root user, installs production dependencies only, has a HEALTHCHECK`, () => {
      const final = stageNamed(stages, target);
      const chain = lineage(final);
      const users = ofKind<Instruction>(chain, "USER").map((u) => u.getArgumentsContent());
      expect(users.at(-1), "last USER").toBeDefined();
      expect(users.at(-1)).not.toMatch(/^(root|0)(:.*)?$/);
      // USER comes after the last RUN, so the process (not only the build) is non-root.
      const lines = (k: string) =>
        final.instructions.filter((i) => i.getKeyword() === k).map((i) => i.getRange().start.line);
      expect(Math.max(...lines("USER"))).toBeGreaterThan(Math.max(...lines("RUN")));

      const installs = runs(chain).filter((r) => /\bnpm (ci|install)\b/.test(r));
      expect(installs).toHaveLength(1);
      expect(installs[0]).toMatch(/npm ci --omit=dev/);
      expect(runs([final])).toContain(installs[0]);

      const [health] = ofKind<Instruction>([final], "HEALTHCHECK");
      expect(health, "HEALTHCHECK").toBeDefined();
      expect(healthcheckCommand(health!)[0]).toBe("node");
      const flags = (health as Healthcheck).getFlags().map((f) => f.getName());
      expect(flags).toEqual(expect.arrayContaining(["interval", "timeout", "retries"]));

      // Small: compiled output and manifests only, no sources or dev tooling copied in.
      for (const c of copies(chain))
        for (const src of c.sources) {
          expect(src, `COPY ${src}`).not.toMatch(
            /(^|\/)src(\/|$)|^(packages|apps\/api|apps\/admin)\/?$/,
          );
        }
    });
  }

  it("api: the command is the compiled entry point, behind the entrypoint that execs it", () => {
    const api = stageNamed(stages, "api");
    const [cmd] = ofKind<JSONInstruction>([api], "CMD");
    expect(execForm(cmd!)).toEqual(["node", "apps/api/dist/main.js"]);
    const [entry] = ofKind<JSONInstruction>([api], "ENTRYPOINT");
    const script = copies([api]).find((c) => c.dest === execForm(entry!)[0])?.sources[0];
    expect(script).toBe("infra/docker/entrypoint.sh");
    expect(readFileSync(join(REPO, script!), "utf8")).toMatch(/^exec "\$@"$/m);
    const pkg = JSON.parse(readFileSync(join(REPO, "apps/api/package.json"), "utf8"));
    expect(pkg.scripts.start).toMatch(/node dist\/main\.js$/);
  });

  it("admin: runs next start from the built app", () => {
    const admin = stageNamed(stages, "admin");
    const [cmd] = ofKind<JSONInstruction>([admin], "CMD");
    const command = execForm(cmd!);
    expect(command.slice(0, 3)).toEqual(["node", "/app/node_modules/next/dist/bin/next", "start"]);
    expect(copies([admin]).some((c) => c.sources.includes("/app/apps/admin/.next"))).toBe(true);
  });

  it("every COPY source exists: context paths in the repo (and not dockerignored), build outputs after the build", () => {
    for (const c of copies(stages)) {
      for (const src of c.sources) {
        if (c.from === undefined) {
          expect(existsSync(join(REPO, src)), `COPY ${src}`).toBe(true);
          expect(dockerignored(src), `${src} is left out by .dockerignore`).toBe(false);
        } else {
          expect(c.from).toBe("build");
          expect(src.startsWith("/app/"), src).toBe(true);
          const built = join(REPO, src.slice("/app/".length));
          expect(existsSync(built), `${src}: run the build first (npm run build)`).toBe(true);
        }
      }
    }
  });

  it("keeps node_modules, build output, git, state and secrets out of the build context", () => {
    for (const p of [
      "node_modules",
      "apps/api/node_modules",
      "apps/api/dist",
      "apps/admin/.next",
      ".git",
      ".env",
      "infra/terraform/environments/example/terraform.tfvars",
      "apps/api/test/x.test.ts",
    ])
      expect(dockerignored(p), p).toBe(true);
    for (const p of [
      "packages/db/drizzle",
      "apps/api/src/main.ts",
      "infra/package.json",
      "package-lock.json",
    ])
      expect(dockerignored(p), p).toBe(false);
  });

  it("bakes no credential into an image", () => {
    const env = environment(stages);
    for (const name of Object.keys(env))
      expect(name).not.toMatch(/TOKEN|SECRET|PASSWORD|DATABASE_URL|REDIS_URL/);
    expect(ofKind<Instruction>(stages, "ARG")).toEqual([]);
    for (const f of ["infra/docker/Dockerfile", "infra/docker/entrypoint.sh", DOCKERIGNORE])
      expect(secretTextProblems(f, readFileSync(join(REPO, f.replace(REPO, "")), "utf8"))).toEqual(
        [],
      );
  });
});
