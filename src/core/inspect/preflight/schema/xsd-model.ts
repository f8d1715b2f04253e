// The compiled form of an XSD: just what instance validation needs.
import type { TranslatedPattern } from './xsd-regex.ts';

export const XS_NAMESPACE = 'http://www.w3.org/2001/XMLSchema';

/** Built-in types this validator understands (the FatturaPA and SDI schemas use a subset). */
export const BUILTIN_TYPES = [
  'anySimpleType',
  'string',
  'normalizedString',
  'token',
  'decimal',
  'integer',
  'nonNegativeInteger',
  'positiveInteger',
  'boolean',
  'date',
  'dateTime',
  'base64Binary',
] as const;
export type BuiltinType = (typeof BUILTIN_TYPES)[number];

export type WhiteSpace = 'preserve' | 'replace' | 'collapse';

export interface Facets {
  length?: number;
  minLength?: number;
  maxLength?: number;
  /** One entry per derivation step; a value must match at least one pattern of every step. */
  patterns: TranslatedPattern[][];
  /** From the most derived step that has any. */
  enumeration?: string[];
  minInclusive?: string;
  maxInclusive?: string;
  minExclusive?: string;
  maxExclusive?: string;
  totalDigits?: number;
  fractionDigits?: number;
}

export interface SimpleTypeDef {
  kind: 'simple';
  /** Declared name, or a description for an anonymous type. */
  name: string;
  builtin: BuiltinType;
  whiteSpace: WhiteSpace;
  facets: Facets;
}

export interface AttributeDecl {
  name: string;
  type: SimpleTypeDef;
  required: boolean;
}

export interface ElementDecl {
  name: string;
  /** '' for an unqualified local element. */
  namespace: string;
  /** `any`: content not validated (an element of an imported schema, e.g. ds:Signature). */
  type: ComplexTypeDef | SimpleTypeDef | 'any';
  defaultValue?: string;
}

export interface ElementParticle {
  kind: 'element';
  decl: ElementDecl;
  min: number;
  max: number;
}

export interface GroupParticle {
  kind: 'sequence' | 'choice';
  particles: Particle[];
  min: number;
  max: number;
}

export type Particle = ElementParticle | GroupParticle;

export interface ComplexTypeDef {
  kind: 'complex';
  name: string;
  /** Null: empty content. */
  content: Particle | null;
  attributes: AttributeDecl[];
  mixed: boolean;
}

export interface CompiledSchema {
  targetNamespace: string;
  /** Global elements by local name (all in the target namespace). */
  elements: Map<string, ElementDecl>;
}
