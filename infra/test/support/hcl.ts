import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { getReferencesInExpression, parse } from "@cdktf/hcl2json";

/** One block body as @cdktf/hcl2json renders it: expressions become "${…}" strings. */
export type Body = Record<string, unknown>;

/** The parts of a `.tf` file's JSON rendering the checks read. */
export interface TfJson {
  variable?: Record<string, Body[]>;
  output?: Record<string, Body[]>;
  locals?: Body[];
  module?: Record<string, Body[]>;
  resource?: Record<string, Record<string, Body[]>>;
  data?: Record<string, Record<string, Body[]>>;
  provider?: Record<string, Body[]>;
  terraform?: Body[];
}

export interface TfFile {
  readonly path: string;
  readonly json: TfJson;
}

/** A Terraform module: one directory of `.tf` files. */
export interface TfModule {
  readonly dir: string;
  /** Relative to the Terraform root, e.g. `modules/network`. */
  readonly name: string;
  readonly files: readonly TfFile[];
}

/** Every directory under `root` holding `.tf` files, each file parsed. */
export async function loadModules(root: string): Promise<TfModule[]> {
  const byDir = new Map<string, string[]>();
  for (const entry of readdirSync(root, { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".tf") || entry.split("/").includes(".terraform")) continue;
    const path = join(root, entry);
    const dir = resolve(path, "..");
    byDir.set(dir, [...(byDir.get(dir) ?? []), path]);
  }
  const modules: TfModule[] = [];
  for (const [dir, paths] of [...byDir].sort(([a], [b]) => a.localeCompare(b))) {
    const files: TfFile[] = [];
    for (const path of paths.sort()) {
      files.push({ path, json: (await parse(path, readFileSync(path, "utf8"))) as TfJson });
    }
    modules.push({ dir, name: relative(root, dir), files });
  }
  return modules;
}

/** `{ name: body }` of one top-level block kind over all files of a module. */
export function blocks(m: TfModule, kind: "variable" | "output" | "module" | "provider") {
  const out: Record<string, Body> = {};
  for (const f of m.files) {
    for (const [name, bodies] of Object.entries(f.json[kind] ?? {})) out[name] = bodies[0] ?? {};
  }
  return out;
}

/** `{ "type.name": body }` of the module's resources (or data sources). */
export function resources(m: TfModule, kind: "resource" | "data" = "resource") {
  const out: Record<string, Body> = {};
  for (const f of m.files) {
    for (const [type, named] of Object.entries(f.json[kind] ?? {})) {
      for (const [name, bodies] of Object.entries(named)) out[`${type}.${name}`] = bodies[0] ?? {};
    }
  }
  return out;
}

export function locals(m: TfModule): Body {
  return Object.assign({}, ...m.files.flatMap((f) => f.json.locals ?? []));
}

/** Calls `visit(key, value, file)` for every attribute, however deeply nested. */
export function walk(m: TfModule, visit: (key: string, value: unknown, file: string) => void) {
  const go = (key: string, value: unknown, file: string): void => {
    visit(key, value, file);
    if (Array.isArray(value)) value.forEach((v) => go(key, v, file));
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) go(k, v, file);
    }
  };
  for (const f of m.files) go("", f.json, f.path);
}

/** References (`var.x`, `aws_vpc.this.id`, `module.m.out`) in one "${…}" string. */
export async function referencesIn(file: string, value: string): Promise<string[]> {
  if (!value.includes("${")) return [];
  const refs = await getReferencesInExpression(file, value);
  return refs.map((r) => r.value);
}

/** True when a value is an expression rather than a literal. */
export const isExpression = (v: unknown): boolean => typeof v === "string" && v.includes("${");
