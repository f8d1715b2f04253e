// Compiles a parsed .xsd (an XmlElement tree) into the model the validator walks. Supports what
// the FatturaPA and SDI schemas use: named and anonymous simple/complex types, xs:sequence and
// xs:choice with occurrence bounds, element refs (into imported schemas: not validated),
// attributes, restriction facets. Anything else is refused with a clear error, so a new schema
// version that needs more fails in the tests, not silently in the field.
import { childElements } from '../../../xml/safe-xml.ts';
import type { XmlElement } from '../../../xml/safe-xml.ts';
import { BUILTIN_TYPES, XS_NAMESPACE } from './xsd-model.ts';
import type {
  AttributeDecl,
  BuiltinType,
  CompiledSchema,
  ComplexTypeDef,
  ElementDecl,
  Facets,
  GroupParticle,
  Particle,
  SimpleTypeDef,
  WhiteSpace,
} from './xsd-model.ts';
import { translateXsdPattern } from './xsd-regex.ts';

export class XsdCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XsdCompileError';
  }
}

/** Repetitions are unrolled into the content automaton: keep bounded counts small. */
const MAX_BOUNDED_OCCURS = 1000;

const IGNORED = new Set(['annotation']);

function isXs(element: XmlElement, local: string): boolean {
  return element.uri === XS_NAMESPACE && element.local === local;
}

function xsChildren(element: XmlElement): XmlElement[] {
  return element.children.filter((child) => {
    if (child.uri !== XS_NAMESPACE) throw new XsdCompileError(`unexpected non-schema element ${child.name} in ${element.name}`);
    return !IGNORED.has(child.local);
  });
}

function defaultWhiteSpace(builtin: BuiltinType): WhiteSpace {
  if (builtin === 'string' || builtin === 'anySimpleType') return 'preserve';
  return builtin === 'normalizedString' ? 'replace' : 'collapse';
}

function parseOccurs(value: string | undefined, fallback: number, where: string): number {
  if (value === undefined) return fallback;
  if (value === 'unbounded') return Infinity;
  if (!/^[0-9]+$/.test(value) || Number(value) > MAX_BOUNDED_OCCURS) throw new XsdCompileError(`unsupported occurrence ${value} in ${where}`);
  return Number(value);
}

function nonNegativeFacet(value: string | undefined, facet: string): number {
  if (value === undefined || !/^[0-9]+$/.test(value)) throw new XsdCompileError(`facet ${facet} needs a non-negative integer, got ${value}`);
  return Number(value);
}

class XsdCompiler {
  private readonly schema: XmlElement;
  private readonly targetNamespace: string;
  private readonly qualifiedElements: boolean;
  private readonly importedNamespaces = new Set<string>();
  private readonly namedSimple = new Map<string, XmlElement>();
  private readonly namedComplex = new Map<string, XmlElement>();
  private readonly globalElementNodes = new Map<string, XmlElement>();
  private readonly simpleTypes = new Map<string, SimpleTypeDef>();
  private readonly complexTypes = new Map<string, ComplexTypeDef>();
  private readonly globalElements = new Map<string, ElementDecl>();

  constructor(schema: XmlElement) {
    if (!isXs(schema, 'schema')) throw new XsdCompileError(`not an XML Schema: root is ${schema.name}`);
    this.schema = schema;
    this.targetNamespace = schema.attributes.targetNamespace ?? '';
    this.qualifiedElements = schema.attributes.elementFormDefault === 'qualified';
    if (schema.attributes.attributeFormDefault === 'qualified') throw new XsdCompileError('attributeFormDefault="qualified" is not supported');
    for (const child of xsChildren(schema)) {
      const name = child.attributes.name ?? '';
      if (child.local === 'import') this.importedNamespaces.add(child.attributes.namespace ?? '');
      else if (child.local === 'simpleType') this.namedSimple.set(name, child);
      else if (child.local === 'complexType') this.namedComplex.set(name, child);
      else if (child.local === 'element') this.globalElementNodes.set(name, child);
      else throw new XsdCompileError(`top-level xs:${child.local} is not supported`);
    }
  }

  compile(): CompiledSchema {
    for (const name of this.globalElementNodes.keys()) this.globalElement(name);
    // Compile every named type too, so a broken or unsupported one fails now, not on first use.
    for (const name of this.namedSimple.keys()) this.namedSimpleType(name);
    for (const name of this.namedComplex.keys()) this.namedComplexType(name);
    return { targetNamespace: this.targetNamespace, elements: this.globalElements };
  }

  /** Resolves `prefix:local` with the declarations on the element or the schema root. */
  private resolveQName(value: string, at: XmlElement): { namespace: string; local: string } {
    const colon = value.indexOf(':');
    const prefix = colon < 0 ? '' : value.slice(0, colon);
    const local = colon < 0 ? value : value.slice(colon + 1);
    const attribute = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
    const namespace = at.attributes[attribute] ?? this.schema.attributes[attribute];
    if (namespace === undefined && prefix !== '') throw new XsdCompileError(`undeclared prefix in ${value}`);
    return { namespace: namespace ?? '', local };
  }

  private globalElement(name: string): ElementDecl {
    const known = this.globalElements.get(name);
    if (known) return known;
    const node = this.globalElementNodes.get(name);
    if (!node) throw new XsdCompileError(`unknown global element ${name}`);
    const decl: ElementDecl = { name, namespace: this.targetNamespace, type: 'any' };
    this.globalElements.set(name, decl);
    this.fillElement(decl, node);
    return decl;
  }

  private fillElement(decl: ElementDecl, node: XmlElement): void {
    if (node.attributes.default !== undefined) decl.defaultValue = node.attributes.default;
    const typeName = node.attributes.type;
    const inline = xsChildren(node).filter((child) => child.local === 'simpleType' || child.local === 'complexType');
    if (typeName !== undefined) {
      decl.type = this.typeByQName(typeName, node);
    } else if (inline[0]?.local === 'simpleType') {
      decl.type = this.simpleType(inline[0], `anonymous type of ${decl.name}`);
    } else if (inline[0]?.local === 'complexType') {
      decl.type = this.complexType(inline[0], `anonymous type of ${decl.name}`);
    } else {
      decl.type = 'any'; // xs:anyType
    }
  }

  private typeByQName(value: string, at: XmlElement): SimpleTypeDef | ComplexTypeDef | 'any' {
    const { namespace, local } = this.resolveQName(value, at);
    if (namespace === XS_NAMESPACE) return local === 'anyType' ? 'any' : this.builtinType(local);
    if (namespace !== this.targetNamespace) throw new XsdCompileError(`type ${value} is from another schema`);
    if (this.namedSimple.has(local)) return this.namedSimpleType(local);
    if (this.namedComplex.has(local)) return this.namedComplexType(local);
    throw new XsdCompileError(`unknown type ${value}`);
  }

  private simpleTypeByQName(value: string, at: XmlElement): SimpleTypeDef {
    const type = this.typeByQName(value, at);
    if (type === 'any' || type.kind !== 'simple') throw new XsdCompileError(`${value} is not a simple type`);
    return type;
  }

  private builtinType(local: string): SimpleTypeDef {
    if (!(BUILTIN_TYPES as readonly string[]).includes(local)) throw new XsdCompileError(`built-in type xs:${local} is not supported`);
    const builtin = local as BuiltinType;
    return { kind: 'simple', name: `xs:${local}`, builtin, whiteSpace: defaultWhiteSpace(builtin), facets: { patterns: [] } };
  }

  private namedSimpleType(name: string): SimpleTypeDef {
    const known = this.simpleTypes.get(name);
    if (known) return known;
    const node = this.namedSimple.get(name);
    if (!node) throw new XsdCompileError(`unknown simple type ${name}`);
    const compiled = this.simpleType(node, name);
    this.simpleTypes.set(name, compiled);
    return compiled;
  }

  private simpleType(node: XmlElement, name: string): SimpleTypeDef {
    const [restriction, ...rest] = xsChildren(node);
    if (!restriction || rest.length > 0 || restriction.local !== 'restriction') {
      throw new XsdCompileError(`simple type ${name}: only xs:restriction is supported (no list or union)`);
    }
    const steps = xsChildren(restriction);
    const inlineBase = steps.find((child) => child.local === 'simpleType');
    const base =
      restriction.attributes.base !== undefined
        ? this.simpleTypeByQName(restriction.attributes.base, restriction)
        : inlineBase
          ? this.simpleType(inlineBase, `base of ${name}`)
          : null;
    if (!base) throw new XsdCompileError(`simple type ${name} has no base`);
    const facets: Facets = { ...base.facets, patterns: [...base.facets.patterns] };
    let whiteSpace = base.whiteSpace;
    const patterns: string[] = [];
    const enumeration: string[] = [];
    for (const facet of steps) {
      const value = facet.attributes.value;
      switch (facet.local) {
        case 'simpleType':
          break;
        case 'pattern':
          patterns.push(value ?? '');
          break;
        case 'enumeration':
          enumeration.push(value ?? '');
          break;
        case 'length':
          facets.length = nonNegativeFacet(value, 'length');
          break;
        case 'minLength':
          facets.minLength = nonNegativeFacet(value, 'minLength');
          break;
        case 'maxLength':
          facets.maxLength = nonNegativeFacet(value, 'maxLength');
          break;
        case 'totalDigits':
          facets.totalDigits = nonNegativeFacet(value, 'totalDigits');
          break;
        case 'fractionDigits':
          facets.fractionDigits = nonNegativeFacet(value, 'fractionDigits');
          break;
        case 'minInclusive':
          facets.minInclusive = value;
          break;
        case 'maxInclusive':
          facets.maxInclusive = value;
          break;
        case 'minExclusive':
          facets.minExclusive = value;
          break;
        case 'maxExclusive':
          facets.maxExclusive = value;
          break;
        case 'whiteSpace':
          if (value !== 'preserve' && value !== 'replace' && value !== 'collapse') throw new XsdCompileError(`bad whiteSpace ${value}`);
          whiteSpace = value;
          break;
        default:
          throw new XsdCompileError(`facet xs:${facet.local} in ${name} is not supported`);
      }
    }
    if (patterns.length > 0) facets.patterns.push(patterns.map((pattern) => translateXsdPattern(pattern)));
    if (enumeration.length > 0) facets.enumeration = enumeration;
    return { kind: 'simple', name, builtin: base.builtin, whiteSpace, facets };
  }

  private namedComplexType(name: string): ComplexTypeDef {
    const known = this.complexTypes.get(name);
    if (known) return known;
    const node = this.namedComplex.get(name);
    if (!node) throw new XsdCompileError(`unknown complex type ${name}`);
    return this.complexType(node, name);
  }

  private complexType(node: XmlElement, name: string): ComplexTypeDef {
    // Registered before its content is compiled, so recursive types terminate.
    const compiled: ComplexTypeDef = { kind: 'complex', name, content: null, attributes: [], mixed: node.attributes.mixed === 'true' };
    if (node.attributes.name !== undefined) this.complexTypes.set(name, compiled);
    for (const child of xsChildren(node)) {
      if (child.local === 'sequence' || child.local === 'choice') {
        if (compiled.content) throw new XsdCompileError(`complex type ${name} has two content models`);
        compiled.content = this.group(child, name);
      } else if (child.local === 'attribute') {
        compiled.attributes.push(this.attribute(child, name));
      } else {
        throw new XsdCompileError(`xs:${child.local} in complex type ${name} is not supported`);
      }
    }
    return compiled;
  }

  private group(node: XmlElement, where: string): GroupParticle {
    const particles: Particle[] = [];
    for (const child of xsChildren(node)) {
      if (child.local === 'element') particles.push(this.elementParticle(child, where));
      else if (child.local === 'sequence' || child.local === 'choice') particles.push(this.group(child, where));
      else throw new XsdCompileError(`xs:${child.local} in ${where} is not supported`);
    }
    return {
      kind: node.local === 'choice' ? 'choice' : 'sequence',
      particles,
      min: parseOccurs(node.attributes.minOccurs, 1, where),
      max: parseOccurs(node.attributes.maxOccurs, 1, where),
    };
  }

  private elementParticle(node: XmlElement, where: string): Particle {
    const min = parseOccurs(node.attributes.minOccurs, 1, where);
    const max = parseOccurs(node.attributes.maxOccurs, 1, where);
    const ref = node.attributes.ref;
    if (ref !== undefined) {
      const { namespace, local } = this.resolveQName(ref, node);
      if (namespace === this.targetNamespace) return { kind: 'element', decl: this.globalElement(local), min, max };
      if (!this.importedNamespaces.has(namespace)) throw new XsdCompileError(`element ref ${ref} is from a schema that is not imported`);
      return { kind: 'element', decl: { name: local, namespace, type: 'any' }, min, max };
    }
    const name = node.attributes.name;
    if (name === undefined) throw new XsdCompileError(`element without name or ref in ${where}`);
    const decl: ElementDecl = { name, namespace: this.qualifiedElements ? this.targetNamespace : '', type: 'any' };
    this.fillElement(decl, node);
    return { kind: 'element', decl, min, max };
  }

  private attribute(node: XmlElement, where: string): AttributeDecl {
    const name = node.attributes.name;
    if (name === undefined) throw new XsdCompileError(`attribute ref in ${where} is not supported`);
    const inline = childElements(node, 'simpleType')[0];
    const type =
      node.attributes.type !== undefined
        ? this.simpleTypeByQName(node.attributes.type, node)
        : inline
          ? this.simpleType(inline, `type of attribute ${name}`)
          : this.builtinType('anySimpleType');
    return { name, type, required: node.attributes.use === 'required' };
  }
}

export function compileXsd(schema: XmlElement): CompiledSchema {
  return new XsdCompiler(schema).compile();
}
