// Small DOM helpers shared by the drawing modules.

export function byId<T extends HTMLElement = HTMLElement>(id: string, kind?: new () => T): T {
  const el = document.getElementById(id);
  if (el === null || (kind !== undefined && !(el instanceof kind))) throw new Error(`no #${id} of the expected kind`);
  return el as T;
}

/** A DOM element with attributes and children (text or elements); an attribute given as null is left out. */
export function h(tag: string, attrs: Record<string, string | null> = {}, ...children: (Node | string)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string> = {}, ...children: Node[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** A colour index per namespace name (ns0, ns1, ...): the struct pid cells and the boxes share it. */
export function hueOf(ns: string): string {
  const n = /^ns(\d+)$/.exec(ns);
  return n === null ? 'host' : String(Number(n[1]) % 8);
}
