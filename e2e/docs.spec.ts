import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { expect, test } from "@playwright/test";

/** Every ```mermaid block of docs/*.md, with where it is. */
function mermaidBlocks(): { where: string; code: string }[] {
  const dir = path.resolve("docs");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .flatMap((file) => {
      const text = readFileSync(path.join(dir, file), "utf8");
      return [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m, i) => ({
        where: `${file} block ${i + 1}`,
        code: m[1] ?? "",
      }));
    });
}

const MERMAID = createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js");

test("the docs' Mermaid diagrams parse and render in Chromium", async ({ page }) => {
  const blocks = mermaidBlocks();
  expect(blocks.length).toBeGreaterThanOrEqual(7);
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: MERMAID });
  for (const [index, block] of blocks.entries()) {
    const outcome = await page.evaluate(
      async ({ code, id }) => {
        const m = (
          window as unknown as {
            mermaid: {
              initialize(o: object): void;
              parse(c: string): Promise<unknown>;
              render(i: string, c: string): Promise<{ svg: string }>;
            };
          }
        ).mermaid;
        m.initialize({ startOnLoad: false });
        try {
          await m.parse(code);
          const { svg } = await m.render(id, code);
          return { ok: svg.includes("<svg"), error: "" };
        } catch (error) {
          return { ok: false, error: String(error) };
        }
      },
      { code: block.code, id: `diagram${index}` },
    );
    expect(outcome, `${block.where}: ${outcome.error}`).toEqual({ ok: true, error: "" });
  }
});
