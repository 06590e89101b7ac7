/**
 * The import rules of the zones (docs/architecture.md): each production module may import
 * only from the zones its own zone lists below, so the authority never reaches into the web
 * side or the gateway, the web side reaches the authority only through its client and the
 * shared contracts, and browser code never imports lib/server (it holds secrets and
 * Node-only code). Tests may cross zones: they only run under Node.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs)$/;
/** Tests run under Node only and never reach the browser bundle. */
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;
const SPECIFIER =
  /(?:\bimport\s+(?:type\s+)?(?:[^'"]*?\bfrom\s+)?|\bexport\s+(?:type\s+)?[^'"]*?\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;

const SERVER_ZONES = [
  "server/common",
  "server/db",
  "server/store",
  "server/agents",
  "server/authority",
  "server/web",
  "server/realtime",
  "server/jobs",
  "server/node",
  "server/testing",
  "server/main",
] as const;
const BROWSER = ["lib/client", "lib/hooks", "lib/shared", "lib/utils"];

/** Zone → the zones its modules may import (its own always included). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  "lib/shared": [],
  "lib/utils": [],
  "lib/client": ["lib/shared"],
  "lib/hooks": ["lib/client", "lib/shared"],
  components: [...BROWSER],
  // Server components and route handlers; "use client" files are held to the browser's rule.
  app: ["components", ...BROWSER, "server/web", "server/common"],
  middleware: ["server/web", "server/common", "lib/shared"],
  "server/common": ["lib/shared"],
  "server/db": [],
  "server/store": ["server/db", "lib/shared"],
  "server/agents": ["lib/shared"],
  "server/authority": ["server/common", "server/store", "server/db", "lib/shared"],
  "server/web": ["server/common", "lib/shared"],
  "server/realtime": ["server/common", "server/store", "server/db", "server/agents", "lib/shared"],
  "server/jobs": ["server/common", "server/store", "server/db", "lib/shared"],
  // Process wiring and the cross-zone harness may reach every server zone.
  "server/node": [...SERVER_ZONES, "lib/shared"],
  "server/testing": [...SERVER_ZONES, "lib/shared"],
  "server/main": [...SERVER_ZONES, "lib/shared"],
};
const BROWSER_MAY_IMPORT = ["components", ...BROWSER];

/** The zone a repo-relative path belongs to, or null for one outside every zone. */
function toZone(relative: string): string | null {
  const file = relative.split(path.sep).join("/");
  // The process entry, and the folder itself (an `index` import of it would be the entry's).
  if (/^lib\/server(\/main(\.ts)?)?$/.test(file)) return "server/main";
  // A zone's harness (its testing/ folder) sets up the other zones for its tests.
  if (/^lib\/server\/[^/]+\/testing\//.test(file)) return "server/testing";
  const server = /^lib\/server\/([^/]+)\//.exec(file);
  if (server) return `server/${server[1]}`;
  if (/^lib\/utils(\.[a-z]+)?$/.test(file)) return "lib/utils";
  const lib = /^lib\/(shared|client|hooks)\//.exec(file);
  if (lib) return `lib/${lib[1]}`;
  if (/^middleware(\.[a-z]+)?$/.test(file)) return "middleware";
  const top = /^(app|components)\//.exec(file);
  return top ? (top[1] ?? null) : null;
}

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

/** Every specifier in `source` that names a repo path (by alias, relative path or root name). */
function findRepoImports(source: string, file: string): { specifier: string; to: string }[] {
  const found: { specifier: string; to: string }[] = [];
  for (const match of source.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? "";
    let resolved: string | null = null;
    if (specifier.startsWith("@/")) resolved = path.join(ROOT, specifier.slice(2));
    else if (specifier.startsWith(".")) resolved = path.resolve(path.dirname(file), specifier);
    else if (/^(lib|app|components)\//.test(specifier)) resolved = path.join(ROOT, specifier);
    if (resolved) found.push({ specifier, to: path.relative(ROOT, resolved) });
  }
  return found;
}

/** The imports of `file` (with `source`) that its zone may not make, as readable lines. */
function findForbiddenImports(file: string, source: string): string[] {
  const relative = path.relative(ROOT, file);
  const zone = toZone(relative);
  if (zone === null) return [];
  // A "use client" file under app/ is browser code whatever the app's own rule allows.
  const rule = zone === "app" && isClientModule(source) ? BROWSER_MAY_IMPORT : MAY_IMPORT[zone];
  const allowed = new Set([zone, ...(rule ?? [])]);
  return findRepoImports(source, file)
    .filter(({ to }) => {
      const target = toZone(to);
      return target !== null && !allowed.has(target);
    })
    .map(({ specifier, to }) => `${relative} (${zone}) → ${specifier} (${toZone(to)})`);
}

function productionFiles(): string[] {
  return ["app", "components", "lib"]
    .flatMap((dir) => walk(path.join(ROOT, dir)))
    .concat([path.join(ROOT, "middleware.ts")]);
}

describe("the zones' import rules", () => {
  it("no production module imports from a zone its own zone may not use", () => {
    const files = productionFiles();
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.flatMap((file) =>
      findForbiddenImports(file, readFileSync(file, "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("every production module is in a zone that has rules (a new folder needs its line)", () => {
    const unzoned = productionFiles()
      .map((file) => path.relative(ROOT, file))
      .filter((file) => {
        const zone = toZone(file);
        return zone === null || !(zone in MAY_IMPORT);
      });
    expect(unzoned).toEqual([]);
  });

  it("refuses what the rules forbid, in every import form", () => {
    const chat = path.join(ROOT, "components", "chat", "x.tsx");
    const source = [
      'import { a } from "@/lib/server/common/env";',
      'import type { B } from "../../lib/server/common/socket-tokens";',
      'export { c } from "@/lib/server";',
      'const d = await import("@/lib/server/common/log");',
      'import "../../lib/server/db/open";',
      'import { ok } from "@/lib/shared/ids";',
      'import { cn } from "@/lib/utils";',
    ].join("\n");
    expect(findForbiddenImports(chat, source).map((line) => line.split(" → ")[1])).toEqual([
      "@/lib/server/common/env (server/common)",
      "../../lib/server/common/socket-tokens (server/common)",
      "@/lib/server (server/main)",
      "@/lib/server/common/log (server/common)",
      "../../lib/server/db/open (server/db)",
    ]);
    const authority = path.join(ROOT, "lib", "server", "authority", "routes", "x.ts");
    expect(
      findForbiddenImports(
        authority,
        [
          'import { a } from "../../web/proxy/authority-route";',
          'import { b } from "../../realtime/gateway";',
          'import { c } from "../../node/start-foyer-node";',
          'import { d } from "../../store/users";',
          'import { e } from "../../common/log";',
        ].join("\n"),
      ).map((line) => line.split(" → ")[1]),
    ).toEqual([
      "../../web/proxy/authority-route (server/web)",
      "../../realtime/gateway (server/realtime)",
      "../../node/start-foyer-node (server/node)",
    ]);
    const web = path.join(ROOT, "lib", "server", "web", "identity", "x.ts");
    expect(
      findForbiddenImports(
        web,
        'import { f } from "../../authority/router";\nimport "../../store/x";',
      ),
    ).toHaveLength(2);
    const client = path.join(ROOT, "lib", "client", "cache", "x.ts");
    expect(
      findForbiddenImports(
        client,
        [
          'import { a } from "@/components/chat/x";',
          'import { b } from "../../hooks/use-x";',
          'import { c } from "../../shared/ids";',
        ].join("\n"),
      ).map((line) => line.split(" → ")[1]),
    ).toEqual(["@/components/chat/x (components)", "../../hooks/use-x (lib/hooks)"]);
    const minting = 'import { createSocketToken } from "../../authority/create-socket-token";';
    const webFile = path.join(ROOT, "lib", "server", "web", "identity", "y.ts");
    expect(findForbiddenImports(webFile, minting)).toHaveLength(1);
    const harness = path.join(ROOT, "lib", "server", "realtime", "testing", "y.ts");
    expect(findForbiddenImports(harness, minting)).toEqual([]);
    const shared = path.join(ROOT, "lib", "shared", "x.ts");
    expect(
      findForbiddenImports(shared, 'import { g } from "../client/cache/queries";'),
    ).toHaveLength(1);
  });

  it("holds client app files to the browser's rule, server ones to the app's", () => {
    const page = path.join(ROOT, "app", "x", "page.tsx");
    const source = 'import { requireIdentity } from "@/lib/server/web/identity/dal";';
    expect(findForbiddenImports(page, source)).toEqual([]);
    expect(findForbiddenImports(page, `"use client";\n${source}`)).toHaveLength(1);
  });

  it("recognises client modules by their directive", () => {
    expect(isClientModule('"use client";\nexport {}')).toBe(true);
    expect(isClientModule("// note\n'use client'\n")).toBe(true);
    expect(isClientModule('export const x = "use client";')).toBe(false);
  });
});
