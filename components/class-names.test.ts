/**
 * CONTRIBUTING.md: class lists are composed with `cn()` and variants with `cva`, never built from
 * template strings (Tailwind only generates the classes it can see whole in the source, and
 * a `btn--${variant}` hides them). This scans every component and page.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsxFiles(full);
    return name.endsWith(".tsx") ? [full] : [];
  });
}

/** `className={`…`}`, or a template literal with a placeholder among `cn()`'s or `cva()`'s arguments. */
const BUILT_CLASS_NAME = /className=\{\s*`|\b(?:cn|cva|clsx)\([^()]*`[^`]*\$\{/g;

function findBuiltClassNames(source: string): string[] {
  return [...source.matchAll(BUILT_CLASS_NAME)].map((m) => m[0]);
}

describe("class names", () => {
  it("no component or page builds a class name from a template string", () => {
    const files = ["app", "components"].flatMap((dir) => tsxFiles(path.join(ROOT, dir)));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.flatMap((file) =>
      findBuiltClassNames(readFileSync(file, "utf8")).map(
        (found) => `${path.relative(ROOT, file)}: ${found}`,
      ),
    );
    expect(offenders).toEqual([]);
  });

  it("the scan catches the shapes it forbids and lets cn() and cva() through", () => {
    // Written with `#{` for a placeholder, so that these samples are plain strings here.
    const source = (text: string) => text.replaceAll("#{", ["$", "{"].join(""));
    const forbidden = [
      "<p className={`message #{mine ? 'a' : 'b'}`} />",
      "<p className={ `panel panel--#{tone}` } />",
      "const c = cn(`btn--#{variant}`, className);",
    ].map(source);
    for (const sample of forbidden) expect(findBuiltClassNames(sample)).toHaveLength(1);
    const allowed = [
      '<p className={cn("grid gap-2", mine && "self-end")} />',
      "<p className={bubbleVariants({ tone })} />",
      "const label = `Message #{agentName}`;",
    ].map(source);
    for (const sample of allowed) expect(findBuiltClassNames(sample)).toEqual([]);
  });
});
