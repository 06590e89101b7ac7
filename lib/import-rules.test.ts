/**
 * STYLE.md: components, lib/client, lib/hooks and client files under app/ never import
 * lib/server (it holds secrets and Node-only code). This test scans their sources.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const SERVER_DIR = path.join(ROOT, "lib", "server");
const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs)$/;
/** Tests run under Node only and never reach the browser bundle. */
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;
const SPECIFIER =
  /(?:\bimport\s+(?:type\s+)?(?:[^'"]*?\bfrom\s+)?|\bexport\s+(?:type\s+)?[^'"]*?\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;

function walk(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = path.join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    if (statSync(full).isDirectory()) return walk(full);
    return SOURCE.test(name) && !TEST_FILE.test(name) ? [full] : [];
  });
}

function isClientModule(source: string): boolean {
  return /^\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/\s*)*["']use client["']/.test(source);
}

/** The specifiers in `source` that resolve into lib/server (by alias, relative path or name). */
function findServerImports(source: string, file: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? "";
    let resolved: string | null = null;
    if (specifier.startsWith("@/")) resolved = path.join(ROOT, specifier.slice(2));
    else if (specifier.startsWith(".")) resolved = path.resolve(path.dirname(file), specifier);
    else if (specifier.startsWith("lib/server")) resolved = path.join(ROOT, specifier);
    if (resolved && (resolved === SERVER_DIR || resolved.startsWith(`${SERVER_DIR}${path.sep}`))) {
      found.push(specifier);
    }
  }
  return found;
}

function scannedFiles(): string[] {
  const always = ["components", "lib/client", "lib/hooks"].flatMap((dir) =>
    walk(path.join(ROOT, dir)),
  );
  const appClient = walk(path.join(ROOT, "app")).filter(
    (file) => file.endsWith(".tsx") && isClientModule(readFileSync(file, "utf8")),
  );
  return [...always, ...appClient];
}

describe("client/server boundary", () => {
  it("no browser module imports lib/server", () => {
    const files = scannedFiles();
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.flatMap((file) =>
      findServerImports(readFileSync(file, "utf8"), file).map(
        (s) => `${path.relative(ROOT, file)} → ${s}`,
      ),
    );
    expect(offenders).toEqual([]);
  });

  it("the scanner catches every import form", () => {
    const file = path.join(ROOT, "components", "chat", "x.tsx");
    const source = [
      'import { a } from "@/lib/server/env";',
      'import type { B } from "../../lib/server/tokens";',
      'export { c } from "@/lib/server";',
      'const d = await import("@/lib/server/log");',
      'import "../../lib/server/db/open";',
      'import { ok } from "@/lib/shared/ids";',
      'import { serverish } from "../../lib/server-utils";',
    ].join("\n");
    expect(findServerImports(source, file)).toEqual([
      "@/lib/server/env",
      "../../lib/server/tokens",
      "@/lib/server",
      "@/lib/server/log",
      "../../lib/server/db/open",
    ]);
  });

  it("recognises client modules by their directive", () => {
    expect(isClientModule('"use client";\nexport {}')).toBe(true);
    expect(isClientModule("// note\n'use client'\n")).toBe(true);
    expect(isClientModule('export const x = "use client";')).toBe(false);
  });
});
