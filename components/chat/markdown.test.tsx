import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./markdown";

const render = (text: string) => renderToStaticMarkup(<Markdown text={text} />);

/** The opening tags of `tag` in `html`. */
const tagsOf = (html: string, tag: string) =>
  [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>`, "gi"))].map((m) => m[0]);

/** The text a reader sees (tags dropped, the few entities React writes decoded). */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#x27;", "'")
    .replaceAll("&amp;", "&");

describe("Markdown: raw HTML is never markup", () => {
  it.each([
    ["a script", "<script>alert(1)</script>", "script"],
    ["a script inline", "before <script>alert(1)</script> after", "script"],
    ["an image with a handler", '<img src="x" onerror="alert(1)">', "img"],
    ["an image with a handler inline", "look <img src=x onerror=alert(1)> here", "img"],
    ["a frame", '<iframe src="https://evil.example/"></iframe>', "iframe"],
    ["a link with a handler", '<a href="https://x.example" onclick="alert(1)">x</a>', "a"],
    ["a style", "<style>body{display:none}</style>", "style"],
  ])("%s", (_name, text, tag) => {
    const html = render(text);
    expect(tagsOf(html, tag)).toEqual([]);
    // No attribute of any element is an event handler.
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
    // What the agent wrote stays readable, as text.
    expect(textOf(html)).toContain(text.includes("<script") ? "<script>" : `<${tag}`);
  });

  it("keeps HTML inside code as code", () => {
    const html = render("```html\n<script>alert(1)</script>\n```");
    expect(tagsOf(html, "script")).toEqual([]);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("Markdown: links", () => {
  it.each([
    ["javascript:", "[click](javascript:alert(1))"],
    ["JavaScript: in mixed case", "[click](JaVaScRiPt:alert(1))"],
    ["javascript: as an entity", "[click](&#106;avascript:alert(1))"],
    ["javascript: by reference", "[click][r]\n\n[r]: javascript:alert(1)"],
    ["javascript: autolinked", "<javascript:alert(1)>"],
    ["data:", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
    ["vbscript:", "[click](vbscript:msgbox(1))"],
  ])("drops a %s link and keeps its text", (_name, text) => {
    const html = render(text);
    expect(tagsOf(html, "a")).toEqual([]);
    expect(html).not.toMatch(/(javascript|data|vbscript):[^<]*"/i);
    expect(textOf(html).length).toBeGreaterThan(0);
  });

  it("opens a link in a new tab without handing it the page", () => {
    const [a, ...more] = tagsOf(render("[the docs](https://example.com/docs?a=1)"), "a");
    expect(more).toEqual([]);
    expect(a).toContain('href="https://example.com/docs?a=1"');
    expect(a).toContain('target="_blank"');
    expect(a).toContain('rel="noopener noreferrer"');
  });

  it("links a bare address (GFM autolink) the same way", () => {
    const [a] = tagsOf(render("see https://example.com/page for more"), "a");
    expect(a).toContain('href="https://example.com/page"');
    expect(a).toContain('target="_blank"');
    expect(a).toContain('rel="noopener noreferrer"');
  });

  it("keeps footnote ids unique in a page with several answers, and their links working", () => {
    const answer = "A claim.[^1]\n\n[^1]: The source.";
    const html = renderToStaticMarkup(
      <>
        <Markdown text={answer} />
        <Markdown text={answer} />
      </>,
    );
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThanOrEqual(6);
    expect(new Set(ids).size).toBe(ids.length);
    const targets = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets.length).toBe(4);
    for (const target of targets) expect(ids).toContain(target);
    // In-page links stay in the page.
    for (const a of tagsOf(html, "a")) expect(a).not.toContain("_blank");
  });
});

describe("Markdown: images are never loaded", () => {
  it("turns an image into a link to it", () => {
    const html = render("![a cat](https://img.example/cat.png)");
    expect(tagsOf(html, "img")).toEqual([]);
    const [a] = tagsOf(html, "a");
    expect(a).toContain('href="https://img.example/cat.png"');
    expect(a).toContain('target="_blank"');
    expect(a).toContain('rel="noopener noreferrer"');
    expect(textOf(html)).toContain("a cat");
  });

  it("keeps only the description of an image with an unsafe address", () => {
    const html = render("![a cat](javascript:alert(1))");
    expect(tagsOf(html, "img")).toEqual([]);
    expect(tagsOf(html, "a")).toEqual([]);
    expect(textOf(html)).toBe("a cat");
  });
});

describe("Markdown: code", () => {
  it("labels a fenced block with its language and offers to copy it", () => {
    const html = render("Try:\n\n```ts\nconst a = 1;\nconst b = a + 1;\n```");
    expect(html).toMatch(/data-testid="code-language"[^>]*>ts</);
    const [copy] = tagsOf(html, "button");
    expect(copy).toContain('data-testid="copy-code"');
    expect(copy).toContain('type="button"');
    expect(textOf(html)).toContain("Copy code");
    // The code, without the newline before the closing fence.
    expect(html).toMatch(/<pre[^>]*><code>const a = 1;\nconst b = a \+ 1;<\/code><\/pre>/);
  });

  it("labels a block without a language as text", () => {
    expect(render("```\nplain\n```")).toMatch(/data-testid="code-language"[^>]*>text</);
  });

  it("renders a fence still open (an answer streaming) as code so far", () => {
    const html = render("Here:\n\n```py\nprint(1)\nfor i in");
    expect(html).toMatch(/data-testid="code-language"[^>]*>py</);
    expect(html).toMatch(/<pre[^>]*><code>print\(1\)\nfor i in<\/code><\/pre>/);
  });

  it("styles inline code inline, without a block around it", () => {
    const html = render("Run `npm test` now.");
    expect(html).toMatch(
      /<p[^>]*>Run <code class="[^"]*font-mono[^"]*">npm test<\/code> now\.<\/p>/,
    );
    expect(html).not.toContain("code-block");
  });
});

describe("Markdown: blocks", () => {
  it("renders a table in a region that scrolls sideways", () => {
    const html = render("| name | age |\n| --- | --: |\n| Ada | 36 |\n| Alan | 41 |");
    expect(html).toMatch(/<div class="[^"]*overflow-x-auto[^"]*" data-testid="markdown-table"/);
    expect(tagsOf(html, "table")).toHaveLength(1);
    expect(tagsOf(html, "th")).toHaveLength(2);
    expect(tagsOf(html, "td")).toHaveLength(4);
    expect(html).toMatch(/<td[^>]*>Ada<\/td>/);
  });

  it("renders half a table (still streaming) as text, not as a broken table", () => {
    const html = render("| name | age |\n| --");
    expect(tagsOf(html, "table")).toEqual([]);
    expect(textOf(html)).toContain("| name | age |");
  });

  it("renders bulleted, numbered and task lists", () => {
    const html = render("- one\n- two\n\n1. first\n2. second\n\n- [x] done\n- [ ] to do");
    expect(html).toMatch(/<ul class="[^"]*list-disc[^"]*">\s*<li>one<\/li>\s*<li>two<\/li>/);
    expect(html).toMatch(/<ol class="[^"]*list-decimal[^"]*">\s*<li>first<\/li>/);
    const boxes = tagsOf(html, "input");
    expect(boxes).toHaveLength(2);
    for (const box of boxes) expect(box).toMatch(/type="checkbox".*disabled/);
  });

  it("renders quotes and headings sized for a bubble", () => {
    const html = render("# Title\n\n### Part\n\n> quoted");
    expect(html).toMatch(/<h1 class="[^"]*text-lg[^"]*">Title<\/h1>/);
    expect(html).toMatch(/<h3 class="[^"]*text-base[^"]*">Part<\/h3>/);
    expect(html).toMatch(/<blockquote[^>]*>\s*<p[^>]*>quoted<\/p>\s*<\/blockquote>/);
  });
});

describe("Markdown", () => {
  it("is memoised, so a transcript re-parses only the text that changed", () => {
    expect((Markdown as unknown as { $$typeof: symbol }).$$typeof).toBe(Symbol.for("react.memo"));
  });
});
