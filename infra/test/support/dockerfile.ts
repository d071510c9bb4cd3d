import { readFileSync } from "node:fs";
import {
  type Copy,
  type Dockerfile,
  DockerfileParser,
  type Env,
  type Instruction,
  type JSONInstruction,
} from "dockerfile-ast";
import { DOCKERFILE, DOCKERIGNORE } from "./paths.js";

export interface Stage {
  /** `AS` name, or null. */
  readonly name: string | null;
  /** The image or earlier stage it starts from. */
  readonly from: string;
  readonly parent: Stage | undefined;
  readonly instructions: readonly Instruction[];
}

export function loadDockerfile(path = DOCKERFILE): { file: Dockerfile; stages: Stage[] } {
  const file = DockerfileParser.parse(readFileSync(path, "utf8"));
  const stages: Stage[] = [];
  let current: { name: string | null; from: string; instructions: Instruction[] } | undefined;
  for (const ins of file.getInstructions()) {
    if (ins.getKeyword() === "FROM") {
      const from = file
        .getFROMs()
        .find((f) => f.getRange().start.line === ins.getRange().start.line)!;
      const image = from.getImage() ?? "";
      current = { name: from.getBuildStage(), from: image, instructions: [] };
      stages.push({
        ...current,
        parent: stages.find((s) => s.name === image),
        instructions: current.instructions,
      });
    } else current?.instructions.push(ins);
  }
  return { file, stages };
}

export function stageNamed(stages: readonly Stage[], name: string): Stage {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name} in the Dockerfile`);
  return s;
}

/** The stage and the stages it is built on, the first image first. */
export function lineage(stage: Stage): Stage[] {
  return stage.parent ? [...lineage(stage.parent), stage] : [stage];
}

export const ofKind = <T extends Instruction>(stages: readonly Stage[], keyword: string): T[] =>
  stages.flatMap((s) => s.instructions.filter((i) => i.getKeyword() === keyword) as T[]);

/** The exec form (`["node", "x.js"]`) of CMD / ENTRYPOINT. */
export function execForm(ins: JSONInstruction): string[] {
  const strings = ins.getJSONStrings().map((s) => s.getJSONValue());
  if (strings.length === 0) throw new Error(`${ins.getKeyword()} is not in exec (JSON) form`);
  return strings;
}

/** The command of `HEALTHCHECK [flags] CMD [...]`, exec form only. */
export function healthcheckCommand(ins: Instruction): string[] {
  const text = (ins.getRawArgumentsContent() ?? "").replace(/\\\r?\n/g, " ");
  const m = /\bCMD\s+(\[.*\])\s*$/s.exec(text);
  if (!m) throw new Error("HEALTHCHECK has no exec-form CMD");
  return JSON.parse(m[1]!) as string[];
}

/** ENV of the stages in order, later ones winning. */
export function environment(stages: readonly Stage[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of ofKind<Env>(stages, "ENV"))
    for (const p of e.getProperties()) env[p.getName()] = p.getValue() ?? "";
  return env;
}

export interface CopySpec {
  readonly from: string | undefined;
  readonly sources: string[];
  readonly dest: string;
}

export function copies(stages: readonly Stage[]): CopySpec[] {
  return ofKind<Copy>(stages, "COPY").map((c) => {
    const args = c.getArguments().map((a) => a.getValue());
    return {
      from: c.getFromFlag()?.getValue() ?? undefined,
      sources: args.slice(0, -1),
      dest: args.at(-1)!,
    };
  });
}

/**
 * Whether `.dockerignore` leaves `path` (relative to the context) out of the
 * build context: a pattern matching it or one of its parent directories, with
 * `**`, `*`, `?` and `!` exceptions as Docker reads them (last match wins).
 */
export function dockerignored(path: string, ignoreFile = DOCKERIGNORE): boolean {
  const rules = readFileSync(ignoreFile, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => ({ negate: l.startsWith("!"), re: globToRegExp(l.replace(/^!/, "")) }));
  const parts = path.replace(/^\.\//, "").split("/").filter(Boolean);
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const r of rules) if (prefixes.some((p) => r.re.test(p))) ignored = !r.negate;
  return ignored;
}

function globToRegExp(glob: string): RegExp {
  const g = glob.replace(/^\/+|\/+$/g, "");
  let re = "";
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === "*" && g[i + 1] === "*") {
      re += g[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += g[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
