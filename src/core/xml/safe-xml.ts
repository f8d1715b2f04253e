// XML parsed as data only: no DTD, no entities beyond the five predefined, bounded size, depth and
// element count. A document that declares a DOCTYPE is refused outright: that is where XXE and
// entity-expansion bombs live, and no FatturaPA or SDI file needs one.
import { SaxesParser } from 'saxes';

export interface XmlElement {
  /** Qualified name as written, e.g. `p:FatturaElettronica`. */
  name: string;
  local: string;
  uri: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated direct text content, trimmed. */
  text: string;
}

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 10 * 1024 * 1024, maxDepth: 64, maxElements: 200_000 };

export class XmlRefusedError extends Error {
  readonly code: 'xml_doctype' | 'xml_malformed' | 'xml_too_large' | 'xml_too_deep' | 'xml_too_many_elements' | 'xml_encoding';
  constructor(code: XmlRefusedError['code'], message: string) {
    super(message);
    this.name = 'XmlRefusedError';
    this.code = code;
  }
}

/** Decodes bytes using the BOM or the XML declaration's encoding (UTF-8 by default). */
function decodeXml(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  // '<?' in UTF-16 with no byte-order mark, which XML 1.0 (§4.3.3) requires: say so, rather than
  // "malformed" at the first NUL byte.
  const [b0, b1, b2, b3] = bytes;
  if ((b0 === 0x3c && b1 === 0 && b2 === 0x3f && b3 === 0) || (b0 === 0 && b1 === 0x3c && b2 === 0 && b3 === 0x3f)) {
    throw new XmlRefusedError(
      'xml_encoding',
      'the text is UTF-16 without a byte-order mark (BOM), which XML requires: save it as UTF-8, or as UTF-16 with a BOM',
    );
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new XmlRefusedError('xml_encoding', `the text is not valid ${declared ?? 'UTF-8'}`);
  }
}

export function parseXml(input: Uint8Array | string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > limits.maxBytes) {
    throw new XmlRefusedError('xml_too_large', `XML of ${size} bytes is over the ${limits.maxBytes}-byte limit`);
  }
  const text = typeof input === 'string' ? input : decodeXml(input);
  // Cheap early refusal before any parsing work.
  if (/<!DOCTYPE/i.test(text.slice(0, 64 * 1024))) {
    throw new XmlRefusedError('xml_doctype', 'XML with a DOCTYPE (DTD) is refused: it can hide entity bombs or external entities');
  }

  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let elementCount = 0;

  // A handler that throws stops saxes at once, mid-chunk: past a limit, not one more tag is
  // parsed (namespace resolution costs grow with depth, so going on would be quadratic).
  parser.on('doctype', () => {
    throw new XmlRefusedError('xml_doctype', 'XML with a DOCTYPE (DTD) is refused');
  });
  parser.on('error', (error) => {
    throw new XmlRefusedError('xml_malformed', `malformed XML: ${error.message}`);
  });
  parser.on('opentag', (tag) => {
    elementCount += 1;
    if (elementCount > limits.maxElements) throw new XmlRefusedError('xml_too_many_elements', `more than ${limits.maxElements} elements`);
    if (stack.length >= limits.maxDepth) throw new XmlRefusedError('xml_too_deep', `nesting deeper than ${limits.maxDepth}`);
    const attributes: Record<string, string> = {};
    for (const [key, attribute] of Object.entries(tag.attributes)) {
      attributes[key] = typeof attribute === 'string' ? attribute : attribute.value;
    }
    const element: XmlElement = { name: tag.name, local: tag.local ?? tag.name, uri: tag.uri ?? '', attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root ??= element;
    stack.push(element);
  });
  parser.on('text', (value) => {
    const current = stack[stack.length - 1];
    if (current) current.text += value;
  });
  parser.on('cdata', (value) => {
    const current = stack[stack.length - 1];
    if (current) current.text += value;
  });
  parser.on('closetag', () => {
    const element = stack.pop();
    if (element) element.text = element.text.trim();
  });

  let failure: XmlRefusedError | null = null;
  const refused = (error: unknown): XmlRefusedError =>
    error instanceof XmlRefusedError ? error : new XmlRefusedError('xml_malformed', `malformed XML: ${(error as Error).message}`);
  // Fed in chunks so that a refusal saves the work of the rest.
  const chunkSize = 64 * 1024;
  try {
    for (let offset = 0; offset < text.length; offset += chunkSize) parser.write(text.slice(offset, offset + chunkSize));
    parser.close();
  } catch (error) {
    failure = refused(error);
  }
  if (failure) throw failure;
  if (!root) throw new XmlRefusedError('xml_malformed', 'no root element');
  return root;
}

/** First child element with this local name. */
export function childElement(element: XmlElement | undefined, local: string): XmlElement | undefined {
  return element?.children.find((child) => child.local === local);
}

/** Follows a path of local names: `textAt(root, 'FatturaElettronicaHeader', 'DatiTrasmissione', 'CodiceDestinatario')`. */
export function elementAt(element: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let current = element;
  for (const local of path) current = childElement(current, local);
  return current;
}

export function textAt(element: XmlElement | undefined, ...path: string[]): string | undefined {
  return elementAt(element, ...path)?.text;
}

export function childElements(element: XmlElement | undefined, local: string): XmlElement[] {
  return element?.children.filter((child) => child.local === local) ?? [];
}
