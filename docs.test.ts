/**
 * The docs stay true to the tree: every repo path a doc names exists, every citation of
 * docs/design.md in the code names a section or invariant it has, and no tracked file points
 * at a path outside the repo.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = import.meta.dirname;
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
  .split("\0")
  .filter((file) => file && existsSync(path.join(ROOT, file)));
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

const DOCS = tracked.filter((file) => file.endsWith(".md"));
const CODE = tracked.filter((file) => /\.(ts|tsx|mjs|css|sh)$/.test(file));
/** A backticked token that looks like a path in this repo (a top folder, or a root file). */
const PATH_LIKE =
  /^(?:(?:app|components|lib|e2e|docs|bench|scripts|\.ci)\/[\w.()[\]/-]*|[\w-]+\.(?:ts|mjs|json|md))$/;

/** Pure: the repo paths `markdown` names in backticks, without line or symbol suffixes. */
function toNamedPaths(markdown: string): string[] {
  return [...markdown.matchAll(/`([^`\s]+)`/g)]
    .map((match) => (match[1] ?? "").replace(/[:#].*$/, ""))
    .filter((token) => PATH_LIKE.test(token) && !token.includes("*"))
    .map((token) => token.replace(/\/$/, ""));
}

/**
 * Whether a path `doc` names is in the tree: from the root or from the doc's own folder, a
 * file, a folder or a module named without `.ts`; a bare file name anywhere in the tree.
 */
function existsInTree(doc: string, named: string): boolean {
  const bases = [ROOT, path.join(ROOT, path.dirname(doc))];
  const candidates = bases.flatMap((base) =>
    ["", ".ts", ".tsx"].map((ext) => path.join(base, `${named}${ext}`)),
  );
  if (candidates.some((candidate) => existsSync(candidate))) return true;
  return !named.includes("/") && tracked.some((file) => path.basename(file) === named);
}

describe("the docs", () => {
  it("name only repo paths that exist", () => {
    const missing = DOCS.flatMap((doc) =>
      toNamedPaths(read(doc))
        .filter((named) => !existsInTree(doc, named))
        .map((named) => `${doc} → ${named}`),
    );
    expect(missing).toEqual([]);
  });

  it("finds paths in backticks, and leaves other code spans alone", () => {
    expect(
      toNamedPaths(
        "see `lib/server/main.ts`, `app/(chat)/page.tsx:12`, `docs/`, `npm test`, `a-b`, `x.ts`",
      ),
    ).toEqual(["lib/server/main.ts", "app/(chat)/page.tsx", "docs", "x.ts"]);
  });

  it("cite, from the code, only invariants and sections docs/design.md has", () => {
    const design = read("docs/design.md");
    const server = new Set([...design.matchAll(/^- \*\*(S\d+)\./gm)].map((m) => m[1]));
    const client = new Set(
      [...design.slice(design.indexOf("## 6. Client invariants")).matchAll(/^(\d+)\. \*\*/gm)]
        .map((m) => m[1])
        .slice(0, 20),
    );
    const sections = new Set(
      [...design.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.?\s/gm)].map((m) => m[1]),
    );
    expect(server.size).toBeGreaterThan(10);
    expect(client.size).toBeGreaterThanOrEqual(7);
    const wrong: string[] = [];
    for (const file of CODE) {
      const text = read(file);
      for (const cite of text.matchAll(/docs\/design\.md([^)\n]*)/g)) {
        const rest = cite[1] ?? "";
        for (const s of rest.matchAll(/\bS(\d+)\b/g)) {
          if (!server.has(`S${s[1]}`)) wrong.push(`${file}: S${s[1]}`);
        }
        for (const c of rest.matchAll(/client invariants? ([\d, and]+)/g)) {
          for (const n of (c[1] ?? "").match(/\d+/g) ?? []) {
            if (!client.has(n)) wrong.push(`${file}: client invariant ${n}`);
          }
        }
        for (const p of rest.matchAll(/§(\d+(?:\.\d+)?)/g)) {
          if (!sections.has(p[1] ?? "")) wrong.push(`${file}: §${p[1]}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("list every log event the code writes (docs/design.md §11)", () => {
    const design = read("docs/design.md");
    const table = design.slice(design.indexOf("## 11. Log events"));
    const listed = new Set([...table.matchAll(/^\| `([a-z_]+\.[a-z_<>]+)`/gm)].map((m) => m[1]));
    expect(listed.size).toBeGreaterThan(20);
    // An event is the first argument of a log call, or a route spec's failure event.
    const EVENT = /(?:\blog\(\s*|\.log\(\s*|failureEvent:\s*)["'`]([a-z_]+\.[a-z_]+)["'`]/g;
    const production = CODE.filter(
      (file) => file.startsWith("lib/") || file.startsWith("app/") || file === "middleware.ts",
    ).filter((file) => !/\.(test|int\.test|spec)\.ts$/.test(file));
    const missing = production.flatMap((file) =>
      [...read(file).matchAll(EVENT)]
        .map((m) => m[1] ?? "")
        .filter((event) => !listed.has(event))
        .map((event) => `${file}: ${event}`),
    );
    expect(missing).toEqual([]);
  });

  it("are the only design the code cites: nothing points outside the repo", () => {
    // The spec this repo grew from lives outside it; the code cites docs/design.md instead.
    const foreign = /\/work\/|\.\.\/shared\/(?:DESIGN|STYLE|TEST-MATRIX)|\bDESIGN\b|\bSTYLE\.md\b/;
    const outside = [...DOCS, ...CODE].filter(
      (file) => file !== "docs.test.ts" && foreign.test(read(file)),
    );
    // Relative links in the docs resolve inside the repo.
    const escaping = DOCS.flatMap((doc) =>
      [...read(doc).matchAll(/\]\((\.{1,2}\/[^)\s]+)\)/g)]
        .map((m) => m[1] ?? "")
        .filter((link) =>
          path.relative(ROOT, path.resolve(ROOT, path.dirname(doc), link)).startsWith(".."),
        )
        .map((link) => `${doc} → ${link}`),
    );
    expect([...outside, ...escaping]).toEqual([]);
  });
});
