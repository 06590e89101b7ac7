import { ImageIcon } from "lucide-react";
import { type ComponentProps, type JSX, memo, useId, useMemo } from "react";
import ReactMarkdown, {
  type Components,
  defaultUrlTransform,
  type ExtraProps,
  type Options,
} from "react-markdown";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import { cn } from "@/lib/utils";
import { CopyButton } from "./copy-button";

/** The few fields of an mdast node the HTML rewrite below looks at. */
interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
}

/** Containers whose children are blocks (where a bare text node would not belong). */
const BLOCK_PARENTS = new Set(["root", "blockquote", "listItem", "footnoteDefinition"]);

function rewriteHtml(parent: MdNode): void {
  if (!parent.children) return;
  parent.children = parent.children.map((child) => {
    if (child.type !== "html") {
      rewriteHtml(child);
      return child;
    }
    const text: MdNode = { type: "text", value: child.value ?? "" };
    return BLOCK_PARENTS.has(parent.type) ? { type: "paragraph", children: [text] } : text;
  });
}

/**
 * Raw HTML in an answer is shown as the text it is, never parsed: an agent that writes
 * "wrap it in a <div>" keeps its words, and `<script>`, `<iframe>` or `<img onerror>` are
 * only characters on screen. (rehype-sanitize below is the second line, should an HTML
 * node ever reach the tree another way.)
 */
function remarkHtmlAsText() {
  return (tree: MdNode) => rewriteHtml(tree);
}

/** The few fields of a hast node the id scoping below looks at. */
interface HastNode {
  type: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

const ID_LISTS = ["ariaDescribedBy", "ariaLabelledBy"];

function scopeIds(node: HastNode, prefix: string): void {
  const props = node.properties;
  if (props) {
    if (typeof props.id === "string") props.id = prefix + props.id;
    for (const key of ID_LISTS) {
      const ids = props[key];
      if (Array.isArray(ids)) props[key] = ids.map((id) => prefix + String(id));
    }
    if (typeof props.href === "string" && props.href.startsWith("#")) {
      props.href = `#${prefix}${props.href.slice(1)}`;
    }
  }
  for (const child of node.children ?? []) scopeIds(child, prefix);
}

/**
 * Gives the ids in one answer (only footnotes make any) a prefix of its own, and points
 * its in-page links at them: a transcript holds many "footnote 1"s, and ids must be unique
 * in the page. It runs after the sanitiser, which is told not to add its own prefix.
 */
function rehypeScopeIds(prefix: string) {
  return () => (tree: HastNode) => scopeIds(tree, prefix);
}

type Plugins = NonNullable<Options["rehypePlugins"]>;

const REMARK_PLUGINS = [remarkGfm, remarkHtmlAsText];
// GitHub's schema: no scripts, frames, handlers or styles; hrefs only http(s), mailto and
// the like; `language-*` classes kept on code.
const SANITIZE: Plugins[number] = [rehypeSanitize, { ...defaultSchema, clobberPrefix: "" }];
const REMARK_REHYPE_OPTIONS = { clobberPrefix: "" };

type HastElement = NonNullable<ExtraProps["node"]>;
type HastChild = HastElement["children"][number];

function toText(node: HastChild | HastElement): string {
  if (node.type === "text") return node.value;
  if (node.type === "element") return node.children.map(toText).join("");
  return "";
}

function toLanguage(code: HastElement | undefined): string | null {
  const className = code?.properties.className;
  const classes = Array.isArray(className) ? className.map(String) : [];
  const found = classes.find((name) => name.startsWith("language-"));
  return found ? found.slice("language-".length) : null;
}

/** A URL that survived the transform (unsafe schemes come out empty). */
function toSafeUrl(url: string | undefined): string | null {
  if (!url) return null;
  const safe = defaultUrlTransform(url);
  return safe ? safe : null;
}

/** Props of {@link CodeBlock}. */
export interface CodeBlockProps {
  code: string;
  /** From the fence's info string (```ts); null when the fence names none. */
  language: string | null;
}

/** A fenced code block: its language and a Copy button above, the code scrolling sideways. */
export function CodeBlock({ code, language }: CodeBlockProps) {
  return (
    <div className="my-2 overflow-hidden rounded-lg border bg-muted" data-testid="code-block">
      <div className="flex items-center justify-between gap-2 border-b py-0.5 pr-1 pl-3">
        <span className="font-mono text-muted-foreground text-xs" data-testid="code-language">
          {language ?? "text"}
        </span>
        <CopyButton text={code} label="Copy code" showLabel data-testid="copy-code" />
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard. */}
      <pre className="overflow-x-auto p-3 font-mono text-[0.8125rem] leading-relaxed" tabIndex={0}>
        <code>{code}</code>
      </pre>
    </div>
  );
}

type Props<Tag extends keyof JSX.IntrinsicElements> = ComponentProps<Tag> & ExtraProps;

function Pre({ node }: Props<"pre">) {
  const first = node?.children[0];
  const code = first?.type === "element" && first.tagName === "code" ? first : undefined;
  const text = code ? toText(code) : node ? toText(node) : "";
  // The parser keeps the newline before the closing fence; it is not part of the code.
  return <CodeBlock code={text.replace(/\n$/, "")} language={toLanguage(code)} />;
}

function InlineCode({ node: _node, className, ...props }: Props<"code">) {
  return (
    <code
      className={cn("rounded bg-muted px-1 py-0.5 font-mono text-[0.85em]", className)}
      {...props}
    />
  );
}

function Link({ node: _node, href, children, ...props }: Props<"a">) {
  const url = toSafeUrl(href);
  if (!url) return <span>{children}</span>;
  // In-page anchors (footnotes) stay in the page; everything else opens in a new tab.
  const external = !url.startsWith("#");
  return (
    <a
      {...props}
      href={url}
      className="font-medium text-primary underline underline-offset-2 hover:decoration-2"
      target={external ? "_blank" : undefined}
      rel={external ? "noopener noreferrer" : undefined}
    >
      {children}
    </a>
  );
}

/**
 * Images are never loaded: fetching a remote image would tell its host the visitor's
 * address (and that they read the answer). Each becomes a link to the image instead, which
 * the visitor may choose to open; without a safe URL only its description is left.
 */
function Image({ src, alt }: Props<"img">) {
  const url = toSafeUrl(typeof src === "string" ? src : undefined);
  const label = alt?.trim() || "image";
  if (!url) return <span>{label}</span>;
  return (
    <a
      href={url}
      className="inline-flex items-center gap-1 font-medium text-primary underline underline-offset-2"
      target="_blank"
      rel="noopener noreferrer"
      data-testid="markdown-image-link"
    >
      <ImageIcon className="size-3.5" aria-hidden="true" />
      <span className="sr-only">Image: </span>
      {label}
    </a>
  );
}

function Table({ node: _node, className, ...props }: Props<"table">) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
    <div className="my-2 max-w-full overflow-x-auto" data-testid="markdown-table" tabIndex={0}>
      <table className={cn("border-collapse text-sm wrap-normal", className)} {...props} />
    </div>
  );
}

const CELL = "border px-2 py-1 text-left align-top";

const COMPONENTS: Components = {
  pre: Pre,
  code: InlineCode,
  a: Link,
  img: Image,
  table: Table,
  th: ({ node: _node, ...props }) => (
    <th className={cn(CELL, "bg-muted font-semibold")} {...props} />
  ),
  td: ({ node: _node, ...props }) => <td className={CELL} {...props} />,
  p: ({ node: _node, ...props }) => <p className="my-2 first:mt-0 last:mb-0" {...props} />,
  ul: ({ node: _node, ...props }) => <ul className="my-2 list-disc space-y-1 pl-5" {...props} />,
  ol: ({ node: _node, ...props }) => <ol className="my-2 list-decimal space-y-1 pl-5" {...props} />,
  blockquote: ({ node: _node, ...props }) => (
    <blockquote className="my-2 border-l-3 pl-3 text-muted-foreground" {...props} />
  ),
  h1: ({ node: _node, ...props }) => <h1 className="mt-3 mb-1.5 font-bold text-lg" {...props} />,
  h2: ({ node: _node, ...props }) => <h2 className="mt-3 mb-1.5 font-bold text-base" {...props} />,
  h3: ({ node: _node, ...props }) => (
    <h3 className="mt-2.5 mb-1 font-semibold text-base" {...props} />
  ),
  h4: ({ node: _node, ...props }) => <h4 className="mt-2 mb-1 font-semibold text-sm" {...props} />,
  h5: ({ node: _node, ...props }) => <h5 className="mt-2 mb-1 font-semibold text-sm" {...props} />,
  h6: ({ node: _node, ...props }) => <h6 className="mt-2 mb-1 font-semibold text-sm" {...props} />,
  hr: ({ node: _node, ...props }) => <hr className="my-3 border-border" {...props} />,
};

/** Props of {@link Markdown}. */
export interface MarkdownProps {
  /** Markdown source; may be cut anywhere (an answer still streaming). */
  text: string;
}

/**
 * An agent answer as safe GitHub-flavoured markdown: lists, tables, fenced code with a Copy
 * button, links in a new tab; raw HTML shown as text, images as links, unsafe URLs dropped.
 * Half-written input (an unclosed fence, half a table) renders as far as it goes. Memoised
 * on `text`, so a streaming transcript re-parses only the answer that grew.
 */
export const Markdown = memo(function Markdown({ text }: MarkdownProps) {
  const prefix = useId();
  const rehypePlugins = useMemo<Plugins>(
    () => [SANITIZE, rehypeScopeIds(`md${prefix}-`)],
    [prefix],
  );
  return (
    <div className="min-w-0 wrap-anywhere" data-testid="markdown">
      <ReactMarkdown
        remarkPlugins={REMARK_PLUGINS}
        rehypePlugins={rehypePlugins}
        remarkRehypeOptions={REMARK_REHYPE_OPTIONS}
        components={COMPONENTS}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
});
