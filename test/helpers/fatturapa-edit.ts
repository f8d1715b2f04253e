// Edits an official FatturaPA sample by element path, for tests that need "this invoice, but with
// one thing different": set a value, insert or remove an element, copy a body. Paths are relative
// to the root, segments separated by '/', `[n]` picks the n-th (1-based) of that name, as in
// preflight's issue paths: `FatturaElettronicaBody/DatiBeniServizi/DettaglioLinee[2]/PrezzoTotale`.
// The result is serialised without the sample's indentation; it stays schema-valid as long as the
// edits respect the schema's element order (insert takes `after`/`before` for that).
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import type { XmlElement } from '../../src/core/xml/safe-xml.ts';
import { fixture } from './fixtures.ts';

const SEGMENT = /^([A-Za-z][A-Za-z0-9]*)(?:\[([0-9]+)\])?$/;

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function serialize(element: XmlElement): string {
  const attributes = Object.entries(element.attributes)
    .map(([name, value]) => ` ${name}="${escapeText(value).replace(/"/g, '&quot;')}"`)
    .join('');
  const content = element.children.length > 0 ? element.children.map(serialize).join('') : escapeText(element.text);
  return content === '' ? `<${element.name}${attributes}/>` : `<${element.name}${attributes}>${content}</${element.name}>`;
}

/** `<A><B>1</B></A>` (one or more sibling elements) as elements without namespace. */
export function fragment(xml: string): XmlElement[] {
  return parseXml(`<fragment>${xml}</fragment>`).children;
}

export class InvoiceEdit {
  readonly root: XmlElement;

  constructor(xml: string | Buffer) {
    this.root = parseXml(xml);
  }

  /** One of the official samples, e.g. `InvoiceEdit.sample('IT01234567890_FPR01.xml')`. */
  static sample(name: string): InvoiceEdit {
    return new InvoiceEdit(fixture('fatturapa', name));
  }

  private step(parent: XmlElement, segment: string, path: string): XmlElement | undefined {
    const match = SEGMENT.exec(segment);
    if (!match) throw new Error(`bad path segment "${segment}" in ${path}`);
    const index = match[2] === undefined ? 0 : Number(match[2]) - 1;
    return parent.children.filter((child) => child.local === match[1])[index];
  }

  /** The element at `path`, or undefined. */
  find(path: string): XmlElement | undefined {
    let current: XmlElement | undefined = this.root;
    for (const segment of path.split('/')) {
      if (!current) return undefined;
      current = this.step(current, segment, path);
    }
    return current;
  }

  /** The element at `path`; throws when there is none (a test editing the wrong place fails loudly). */
  get(path: string): XmlElement {
    const element = this.find(path);
    if (!element) throw new Error(`no element at ${path}`);
    return element;
  }

  text(path: string): string {
    return this.get(path).text;
  }

  private parentOf(path: string): { parent: XmlElement; last: string } {
    const cut = path.lastIndexOf('/');
    return cut < 0 ? { parent: this.root, last: path } : { parent: this.get(path.slice(0, cut)), last: path.slice(cut + 1) };
  }

  /**
   * Sets the text of the element at `path`. When it does not exist, it is created in its parent
   * after the last of the `after` siblings present (or first, if none is), keeping schema order.
   */
  set(path: string, value: string, options: { after?: string[] } = {}): this {
    const element = this.find(path);
    if (element) {
      element.children = [];
      element.text = value;
      return this;
    }
    const { parent, last } = this.parentOf(path);
    const name = SEGMENT.exec(last)?.[1] ?? last;
    return this.insertInto(parent, [{ name, local: name, uri: '', attributes: {}, children: [], text: value }], options.after ?? []);
  }

  private insertInto(parent: XmlElement, elements: XmlElement[], after: string[]): this {
    let position = 0;
    parent.children.forEach((child, index) => {
      if (after.includes(child.local)) position = index + 1;
    });
    parent.children.splice(position, 0, ...elements);
    parent.text = '';
    return this;
  }

  /**
   * Inserts `xml` (one or more elements) into the element at `parentPath`, right after the last
   * child named in `after` (or first when none of them is there), or right before `before`.
   */
  insert(parentPath: string, xml: string, options: { after?: string[]; before?: string } = {}): this {
    const parent = parentPath === '' ? this.root : this.get(parentPath);
    const elements = fragment(xml);
    if (options.before !== undefined) {
      const index = parent.children.findIndex((child) => child.local === options.before);
      if (index < 0) throw new Error(`no ${options.before} in ${parentPath}`);
      parent.children.splice(index, 0, ...elements);
      return this;
    }
    return this.insertInto(parent, elements, options.after ?? []);
  }

  /** Replaces the element at `path` with `xml` (one or more elements). */
  replace(path: string, xml: string): this {
    const { parent } = this.parentOf(path);
    const element = this.get(path);
    parent.children.splice(parent.children.indexOf(element), 1, ...fragment(xml));
    return this;
  }

  remove(path: string): this {
    const { parent } = this.parentOf(path);
    const element = this.get(path);
    parent.children.splice(parent.children.indexOf(element), 1);
    return this;
  }

  /** Removes every element named `local` under `parentPath`. */
  removeAll(parentPath: string, local: string): this {
    const parent = this.get(parentPath);
    parent.children = parent.children.filter((child) => child.local !== local);
    return this;
  }

  /** Appends a deep copy of the element at `path` right after it (a second body, a second line). */
  duplicate(path: string, edit?: (copy: XmlElement) => void): this {
    const { parent } = this.parentOf(path);
    const element = this.get(path);
    const copy = structuredClone(element);
    edit?.(copy);
    parent.children.splice(parent.children.indexOf(element) + 1, 0, copy);
    return this;
  }

  /** Runs `edit` and returns this, for chains with custom changes. */
  with(edit: (invoice: this) => void): this {
    edit(this);
    return this;
  }

  toString(): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(this.root)}`;
  }
}
