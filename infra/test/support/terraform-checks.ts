import { resolve } from "node:path";
import {
  blocks,
  isExpression,
  locals,
  referencesIn,
  resources,
  type TfModule,
  walk,
} from "./hcl.js";

/** Roots Terraform itself provides; they need no declaration. */
const BUILTIN_ROOTS = new Set(["count", "each", "path", "self", "terraform"]);
/** Arguments of a module call that are not the child's input variables. */
const META_ARGUMENTS = new Set([
  "source",
  "version",
  "count",
  "for_each",
  "providers",
  "depends_on",
]);

/** The module a call's `source` points at (local paths only). */
export function childOf(parent: TfModule, source: unknown, all: readonly TfModule[]) {
  if (typeof source !== "string" || !source.startsWith(".")) return undefined;
  const dir = resolve(parent.dir, source);
  return all.find((m) => m.dir === dir);
}

/**
 * Every `var.`, `local.`, `module.`, `data.` and resource reference in the
 * module that does not name something declared (for `module.x.y`: an output
 * `y` of the called module). Returns one line per problem.
 */
export async function unresolvedReferences(
  m: TfModule,
  all: readonly TfModule[],
): Promise<string[]> {
  const variables = blocks(m, "variable");
  const declaredLocals = locals(m);
  const calls = blocks(m, "module");
  const declared = resources(m);
  const data = resources(m, "data");
  const iterators = new Set<string>();
  walk(m, (key, value) => {
    if (key !== "dynamic" || !value || typeof value !== "object") return;
    for (const [name, bodies] of Object.entries(value as Record<string, unknown[]>)) {
      iterators.add(name);
      for (const b of bodies) {
        const it = (b as { iterator?: unknown }).iterator;
        if (typeof it === "string") iterators.add(it.replace(/^\$\{|\}$/g, ""));
      }
    }
  });

  // A variable's `type` is a type constraint (`list(string)`), not a reference.
  const typeConstraints = new Set(Object.values(variables).map((b) => b.type));
  const expressions: { file: string; value: string }[] = [];
  walk(m, (key, value, file) => {
    if (typeof value !== "string" || !isExpression(value)) return;
    if (key === "type" && typeConstraints.has(value)) return;
    // lifecycle { ignore_changes = [desired_count] } names attributes of the resource itself.
    if (key === "ignore_changes") return;
    expressions.push({ file, value });
  });

  const problems: string[] = [];
  for (const { file, value } of expressions) {
    for (const ref of await referencesIn(file, value)) {
      const [root = "", second, third] = ref.split(".");
      const where = `${m.name}: ${ref}`;
      if (BUILTIN_ROOTS.has(root) || iterators.has(root)) continue;
      if (root === "var") {
        if (!second || !(second in variables)) problems.push(`${where}: no variable "${second}"`);
      } else if (root === "local") {
        if (!second || !(second in declaredLocals)) problems.push(`${where}: no local "${second}"`);
      } else if (root === "module") {
        const call = second ? calls[second] : undefined;
        if (!call) {
          problems.push(`${where}: no module "${second}"`);
          continue;
        }
        const child = childOf(m, call.source, all);
        if (child && third && !(third in blocks(child, "output")))
          problems.push(`${where}: ${child.name} has no output "${third}"`);
      } else if (root === "data") {
        if (!(`${second}.${third}` in data))
          problems.push(`${where}: no data "${second}.${third}"`);
      } else if (!(`${root}.${second}` in declared)) {
        problems.push(`${where}: no resource "${root}.${second}"`);
      }
    }
  }
  return problems;
}

/** Module calls that pass an input the child does not declare, or leave out a required one. */
export function moduleCallProblems(m: TfModule, all: readonly TfModule[]): string[] {
  const problems: string[] = [];
  for (const [name, call] of Object.entries(blocks(m, "module"))) {
    const child = childOf(m, call.source, all);
    if (!child) {
      problems.push(`${m.name}: module "${name}" has no local source (${String(call.source)})`);
      continue;
    }
    const inputs = blocks(child, "variable");
    for (const arg of Object.keys(call)) {
      if (!META_ARGUMENTS.has(arg) && !(arg in inputs))
        problems.push(
          `${m.name}: module "${name}" passes "${arg}", which ${child.name} does not declare`,
        );
    }
    for (const [input, body] of Object.entries(inputs)) {
      if (!("default" in body) && !(input in call))
        problems.push(`${m.name}: module "${name}" leaves out required input "${input}"`);
    }
  }
  return problems;
}

/** Inputs without a type or a description. */
export function variableProblems(m: TfModule): string[] {
  const problems: string[] = [];
  for (const [name, body] of Object.entries(blocks(m, "variable"))) {
    if (!isExpression(body.type)) problems.push(`${m.name}: variable "${name}" has no type`);
    if (typeof body.description !== "string" || body.description.trim().length < 10)
      problems.push(`${m.name}: variable "${name}" has no description`);
  }
  for (const [name, body] of Object.entries(blocks(m, "output"))) {
    if (typeof body.description !== "string" || body.description.trim() === "")
      problems.push(`${m.name}: output "${name}" has no description`);
  }
  return problems;
}

const SECRET_KEY = /(password|secret|token|private_key|access_key|credential)/i;
const SECRET_TEXT = [
  { name: "AWS access key id", re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: "private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { name: "Strata API key", re: /\bsk_[A-Za-z0-9]+_[A-Za-z0-9]{16,}/ },
  { name: "URL with a password", re: /\b[a-z]+:\/\/[^\s:/@"'$%<]+:[^\s@"'$%<]+@/ },
];

/**
 * Secret literals: an attribute named like a credential with a literal string
 * value, a credential-like variable with a default or not marked sensitive.
 */
export function secretLiteralProblems(m: TfModule): string[] {
  const problems: string[] = [];
  walk(m, (key, value, file) => {
    if (SECRET_KEY.test(key) && typeof value === "string" && !isExpression(value) && value !== "")
      problems.push(`${file}: "${key}" is a literal`);
  });
  for (const [name, body] of Object.entries(blocks(m, "variable"))) {
    if (!/(password|secret|token)$/.test(name)) continue;
    if ("default" in body) problems.push(`${m.name}: variable "${name}" has a default`);
    if (body.sensitive !== true) problems.push(`${m.name}: variable "${name}" is not sensitive`);
  }
  return problems;
}

/** Secret-looking text anywhere in a file (keys, private keys, URLs with passwords). */
export function secretTextProblems(file: string, text: string): string[] {
  return SECRET_TEXT.filter((p) => p.re.test(text)).map((p) => `${file}: contains a ${p.name}`);
}
