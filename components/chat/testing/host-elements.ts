/**
 * The unit tests run in Node without a DOM, so they render with `renderToStaticMarkup`,
 * which drops event handlers. To press a button in such a test, this expands an element
 * down to its host elements (`<button>`, `<a>`…), keeping their props, handlers included.
 * It runs inside one server render, so the components' hooks work as they do there.
 */
import { createElement, Fragment, isValidElement, type ReactElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";

/** A host element as rendered: its tag and props (handlers included). */
export interface HostElement {
  type: string;
  props: Record<string, unknown>;
}

const MEMO = Symbol.for("react.memo");
const FORWARD_REF = Symbol.for("react.forward_ref");

type ExoticType = { $$typeof?: symbol; type?: unknown; render?: (props: unknown) => ReactNode };

function collect(node: ReactNode, out: HostElement[]): void {
  if (Array.isArray(node)) {
    for (const child of node) collect(child, out);
    return;
  }
  if (!isValidElement(node)) return;
  const element = node as ReactElement<Record<string, unknown>>;
  const { type, props } = element;
  const children = props.children as ReactNode;
  if (typeof type === "string") {
    out.push({ type, props });
    collect(children, out);
  } else if (typeof type === "function") {
    collect((type as (p: unknown) => ReactNode)(props), out);
  } else if (type === Fragment) {
    collect(children, out);
  } else {
    const exotic = type as ExoticType;
    if (exotic.$$typeof === MEMO) {
      collect(createElement(exotic.type as never, props), out);
    } else if (exotic.$$typeof === FORWARD_REF && exotic.render) {
      collect(exotic.render(props), out);
    } else {
      // Providers and the like: what they wrap.
      collect(children, out);
    }
  }
}

interface ProbeProps {
  element: ReactElement;
  out: HostElement[];
}

/** Expands `element` while it renders, so the hooks of what it expands have a renderer. */
function Probe({ element, out }: ProbeProps) {
  collect(element, out);
  return null;
}

/** Every host element `element` renders to, in document order. */
export function toHostElements(element: ReactElement): HostElement[] {
  const out: HostElement[] = [];
  renderToStaticMarkup(createElement(Probe, { element, out }));
  return out;
}

/** The host elements with this `data-testid`. */
export function getAllByTestId(element: ReactElement, testId: string): HostElement[] {
  return toHostElements(element).filter((host) => host.props["data-testid"] === testId);
}

/** Calls the `onClick` of a host element, as a press of it would. */
export function click(host: HostElement | undefined): void {
  if (!host) throw new Error("no element to click");
  const onClick = host.props.onClick;
  if (typeof onClick !== "function") throw new Error(`<${host.type}> has no onClick`);
  onClick({ preventDefault() {}, stopPropagation() {} });
}

/** Calls the `onClick` of the host element with this `data-testid` (the first, or `index`). */
export function clickByTestId(element: ReactElement, testId: string, index = 0): void {
  const target = getAllByTestId(element, testId)[index];
  if (!target) throw new Error(`no element with data-testid="${testId}" at ${index}`);
  click(target);
}
