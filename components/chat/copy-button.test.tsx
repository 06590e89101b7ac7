import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CopyButton } from "./copy-button";
import { clickByTestId } from "./testing/host-elements";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("CopyButton", () => {
  it("is a plain button named by its label, visible only when asked", () => {
    const hidden = renderToStaticMarkup(<CopyButton text="x" label="Copy message" />);
    expect(hidden).toMatch(/^<button[^>]*type="button"/);
    expect(hidden).toMatch(/<span class="sr-only"[^>]*>Copy message<\/span>/);
    const shown = renderToStaticMarkup(<CopyButton text="x" label="Copy code" showLabel />);
    expect(shown).toMatch(/<span class=""[^>]*>Copy code<\/span>/);
  });

  it("puts the raw text on the clipboard", () => {
    const writeText = vi.fn(() => Promise.resolve());
    vi.stubGlobal("navigator", { clipboard: { writeText } });
    const text = "**raw** markdown\n\n```ts\nx\n```";
    clickByTestId(<CopyButton text={text} label="Copy" data-testid="copy" />, "copy");
    expect(writeText).toHaveBeenCalledWith(text);
  });

  it("does not throw where there is no clipboard (an insecure origin)", () => {
    vi.stubGlobal("navigator", {});
    expect(() =>
      clickByTestId(<CopyButton text="x" label="Copy" data-testid="copy" />, "copy"),
    ).not.toThrow();
  });
});
