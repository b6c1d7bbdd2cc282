/**
 * Small DOM helpers. Everything that came from a user or the network (room names, player
 * names, pattern text, error reasons) enters the page through text nodes or `textContent`,
 * never through `innerHTML`: a name like `<img src=x onerror=…>` is shown as those characters.
 */

/** The element with this id, of this type; a missing element is a bug in index.html. */
export function byId<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`index.html has no <${type.name}> #${id}`);
  return element;
}

type Child = Node | string | number | null | undefined | false;

/** Creates an element; string children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string | boolean>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(key, value === true ? "" : value);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Sets text only when it changed: stats update many times a second. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatSize(width: number, height: number): string {
  return width === height ? `${width}²` : `${width}×${height}`;
}
