// Walks an XML document against a compiled schema and reports every violation as a preflight error
// with its path. The parser already bounds size, depth and element count; this walk is linear.
import type { XmlElement } from '../../../xml/safe-xml.ts';
import { preflightError } from '../issue.ts';
import type { Bilingual } from '../issue.ts';
import type { PreflightIssue } from '../types.ts';
import { contentAutomaton, matchContent } from './content-model.ts';
import type { ContentProblem } from './content-model.ts';
import { schemaMessages, valueReason } from './schema-messages.ts';
import { checkSimpleValue } from './simple-value.ts';
import type { AttributeDecl, CompiledSchema, ComplexTypeDef, ElementDecl, SimpleTypeDef } from './xsd-model.ts';

const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const ALLOWED_XSI = new Set(['schemaLocation', 'noNamespaceSchemaLocation']);

const DEFAULT_MAX_SCHEMA_ISSUES = 50;

class IssueCollector {
  readonly issues: PreflightIssue[] = [];
  private hidden = 0;
  private namespaceRepeats = 0;
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  add(code: string, path: string, message: Bilingual): void {
    if (this.issues.length < this.max) this.issues.push(preflightError(code, path || undefined, message, '00200'));
    else this.hidden += 1;
  }

  /** One wrong namespace usually means all of them (a default xmlns): report the first, count the rest. */
  addNamespace(path: string, message: Bilingual): void {
    if (this.namespaceRepeats++ === 0) this.add('schema_wrong_namespace', path, message);
  }

  finish(): PreflightIssue[] {
    if (this.namespaceRepeats > 1)
      this.issues.push(preflightError('schema_wrong_namespace', undefined, schemaMessages.wrongNamespaceMore(this.namespaceRepeats - 1), '00200'));
    if (this.hidden > 0) this.issues.push(preflightError('schema_more_errors', undefined, schemaMessages.moreErrors(this.hidden), '00201'));
    return this.issues;
  }
}

function joinPath(parent: string, segment: string): string {
  return parent ? `${parent}/${segment}` : segment;
}

/** Paths name each child by local name, with an XPath-style [n] only when the name repeats. */
function childSegments(children: XmlElement[]): string[] {
  const totals = new Map<string, number>();
  for (const child of children) totals.set(child.local, (totals.get(child.local) ?? 0) + 1);
  const seen = new Map<string, number>();
  return children.map((child) => {
    const ordinal = (seen.get(child.local) ?? 0) + 1;
    seen.set(child.local, ordinal);
    return (totals.get(child.local) ?? 0) > 1 ? `${child.local}[${ordinal}]` : child.local;
  });
}

type Scope = ReadonlyMap<string, string>;

function extendScope(scope: Scope, element: XmlElement): Scope {
  let extended: Map<string, string> | null = null;
  for (const [name, value] of Object.entries(element.attributes)) {
    if (!name.startsWith('xmlns:')) continue;
    extended ??= new Map(scope);
    extended.set(name.slice(6), value);
  }
  return extended ?? scope;
}

class InstanceValidator {
  private readonly collector: IssueCollector;

  constructor(maxIssues: number) {
    this.collector = new IssueCollector(maxIssues);
  }

  run(root: XmlElement, schema: CompiledSchema): PreflightIssue[] {
    const decl = schema.elements.get(root.local);
    if (!decl || root.uri !== schema.targetNamespace) {
      const expected = [...schema.elements.keys()].join(', ');
      this.collector.add('schema_wrong_root', '', schemaMessages.wrongRoot(root.local, root.uri, expected, schema.targetNamespace));
      return this.collector.finish();
    }
    this.element(root, decl, '', new Map([['xml', XML_NAMESPACE]]));
    return this.collector.finish();
  }

  private element(element: XmlElement, decl: ElementDecl, path: string, parentScope: Scope): void {
    if (decl.type === 'any') return;
    const scope = extendScope(parentScope, element);
    const label = element.local;
    if (decl.type.kind === 'simple') {
      this.attributes(element, [], path, scope);
      if (element.children.length > 0) {
        this.collector.add('schema_children_not_allowed', path, schemaMessages.childrenNotAllowed(label));
        return;
      }
      const value = element.text === '' && decl.defaultValue !== undefined ? decl.defaultValue : element.text;
      this.value(value, decl.type, path, label);
      return;
    }
    this.attributes(element, decl.type.attributes, path, scope);
    this.complexContent(element, decl.type, path, scope);
  }

  private value(value: string, type: SimpleTypeDef, path: string, label: string): void {
    const problem = checkSimpleValue(value, type);
    if (problem) this.collector.add('schema_invalid_value', path, schemaMessages.invalidValue(label, value, valueReason(problem, type.name, type.builtin)));
  }

  private attributes(element: XmlElement, declared: AttributeDecl[], path: string, scope: Scope): void {
    const label = element.local;
    const attributePath = (name: string): string => joinPath(path, `@${name}`);
    for (const [name, value] of Object.entries(element.attributes)) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      const colon = name.indexOf(':');
      if (colon >= 0) {
        const namespace = scope.get(name.slice(0, colon));
        if (namespace === XSI_NAMESPACE && ALLOWED_XSI.has(name.slice(colon + 1))) continue;
        this.collector.add('schema_unknown_attribute', attributePath(name), schemaMessages.unknownAttribute(name, label));
        continue;
      }
      const decl = declared.find((candidate) => candidate.name === name);
      if (!decl) {
        this.collector.add('schema_unknown_attribute', attributePath(name), schemaMessages.unknownAttribute(name, label));
        continue;
      }
      const problem = checkSimpleValue(value, decl.type);
      if (problem) {
        const reason = valueReason(problem, decl.type.name, decl.type.builtin);
        this.collector.add('schema_invalid_attribute', attributePath(name), schemaMessages.invalidAttribute(name, label, value, reason));
      }
    }
    for (const decl of declared) {
      if (decl.required && element.attributes[decl.name] === undefined) {
        this.collector.add('schema_missing_attribute', attributePath(decl.name), schemaMessages.missingAttribute(decl.name, label));
      }
    }
  }

  private complexContent(element: XmlElement, type: ComplexTypeDef, path: string, scope: Scope): void {
    const label = element.local;
    if (!type.mixed && element.text !== '') {
      this.collector.add('schema_text_not_allowed', path, schemaMessages.textNotAllowed(label, element.text));
    }
    const match = matchContent(contentAutomaton(type), element.children);
    const segments = childSegments(element.children);
    for (const problem of match.problems) this.contentProblem(problem, element, segments, path);
    element.children.forEach((child, index) => {
      const childDecl = match.decls[index];
      if (childDecl) this.element(child, childDecl, joinPath(path, segments[index] ?? child.local), scope);
    });
  }

  private contentProblem(problem: ContentProblem, parent: XmlElement, segments: string[], path: string): void {
    const parentLabel = parent.local;
    if (problem.kind === 'missing') {
      const before = problem.beforeIndex === null ? null : (parent.children[problem.beforeIndex]?.local ?? null);
      const missingPath = joinPath(path, problem.names[0] ?? '');
      this.collector.add('schema_missing_element', missingPath, schemaMessages.missingElement(problem.names, problem.alternatives, parentLabel, before));
      return;
    }
    const child = parent.children[problem.index] as XmlElement;
    const childPath = joinPath(path, segments[problem.index] ?? child.local);
    switch (problem.kind) {
      case 'order':
        this.collector.add('schema_element_order', childPath, schemaMessages.outOfOrder(child.local, problem.mustPrecede, parentLabel));
        return;
      case 'unknown':
        this.collector.add('schema_unknown_element', childPath, schemaMessages.unknownElement(child.local, parentLabel, problem.expected));
        return;
      case 'wrongNamespace':
        this.collector.addNamespace(childPath, schemaMessages.wrongNamespace(child.local, child.uri, problem.expectedNamespace));
        return;
      case 'unexpected':
        this.collector.add(
          'schema_unexpected_element',
          childPath,
          problem.maxAllowed !== null
            ? schemaMessages.repeated(child.local, parentLabel, problem.maxAllowed)
            : schemaMessages.unexpected(child.local, parentLabel, problem.expected, problem.endAllowed),
        );
        return;
    }
  }
}

export function validateInstance(root: XmlElement, schema: CompiledSchema, maxIssues = DEFAULT_MAX_SCHEMA_ISSUES): PreflightIssue[] {
  return new InstanceValidator(maxIssues).run(root, schema);
}
