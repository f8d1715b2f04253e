// Matches the child elements of a complex type against its content model (xs:sequence,
// xs:choice, minOccurs/maxOccurs). The model is compiled to a Thompson automaton and run as a
// set of states, so matching is linear in the number of children, whatever the nesting: no
// backtracking. On a mismatch it works out the likeliest mistake (a missing element, one out of
// order, an unknown or repeated one), reports it and resynchronises, so one mistake gives one
// error, not a cascade.
import type { XmlElement } from '../../../xml/safe-xml.ts';
import type { ComplexTypeDef, ElementDecl, Particle } from './xsd-model.ts';

interface Edge {
  key: string;
  to: number;
}

export interface ContentAutomaton {
  start: number[];
  accept: number;
  epsilon: number[][];
  edges: Edge[][];
  /** Element key (`namespace|name`) → declaration. */
  decls: Map<string, ElementDecl>;
  /** Most occurrences of each key the model allows in total. */
  maxTotal: Map<string, number>;
  stepCache: Map<string, number[]>;
  /**
   * The same steps keyed by the state array itself: step() hands back cached arrays, so the next
   * step from them finds its answer without building the string key (most of the time spent on
   * a 1,000-line invoice went into those keys).
   */
  stepByStates: WeakMap<number[], Map<string, number[]>>;
}

export type ContentProblem =
  /** `alternatives`: other elements that could stand in place of the first missing one (an xs:choice). */
  | { kind: 'missing'; names: string[]; alternatives: string[]; beforeIndex: number | null }
  | { kind: 'order'; index: number; mustPrecede: string[] }
  | { kind: 'unknown'; index: number; expected: string[] }
  | { kind: 'wrongNamespace'; index: number; expectedNamespace: string }
  | { kind: 'unexpected'; index: number; expected: string[]; endAllowed: boolean; maxAllowed: number | null };

export interface ContentMatch {
  /** The declaration each child was validated against, or null when it has none (unknown element). */
  decls: Array<ElementDecl | null>;
  problems: ContentProblem[];
}

const MAX_INSERTION = 3;
const MAX_SEARCH = 2000;
const STEP_CACHE_LIMIT = 10_000;

function elementKey(namespace: string, name: string): string {
  return `${namespace}|${name}`;
}

class AutomatonBuilder {
  readonly epsilon: number[][] = [];
  readonly edges: Edge[][] = [];
  readonly decls = new Map<string, ElementDecl>();
  readonly maxTotal = new Map<string, number>();

  state(): number {
    this.epsilon.push([]);
    this.edges.push([]);
    return this.epsilon.length - 1;
  }

  link(from: number, to: number): void {
    this.epsilon[from]?.push(to);
  }

  /** Builds `particle` starting at `from`; returns the state where it ends. */
  build(particle: Particle, from: number): number {
    const once = (start: number): number => this.buildOnce(particle, start);
    let current = from;
    for (let index = 0; index < particle.min; index += 1) current = once(current);
    if (particle.max === Infinity) {
      const loop = this.state();
      this.link(current, loop);
      this.link(once(loop), loop);
      return loop;
    }
    for (let index = particle.min; index < particle.max; index += 1) {
      const after = this.state();
      this.link(current, after);
      this.link(once(current), after);
      current = after;
    }
    return current;
  }

  private buildOnce(particle: Particle, from: number): number {
    if (particle.kind === 'element') {
      const key = elementKey(particle.decl.namespace, particle.decl.name);
      this.decls.set(key, particle.decl);
      const to = this.state();
      this.edges[from]?.push({ key, to });
      return to;
    }
    if (particle.kind === 'sequence') {
      let current = from;
      for (const child of particle.particles) current = this.build(child, current);
      return current;
    }
    const end = this.state();
    for (const child of particle.particles) this.link(this.build(child, from), end);
    return end;
  }

  /** Occurrence limits per element, across every place it may appear. */
  countLimits(particle: Particle, multiplier: number): void {
    const times = multiplier * particle.max;
    if (particle.kind === 'element') {
      const key = elementKey(particle.decl.namespace, particle.decl.name);
      this.maxTotal.set(key, (this.maxTotal.get(key) ?? 0) + times);
    } else {
      for (const child of particle.particles) this.countLimits(child, times);
    }
  }
}

function closure(automaton: Pick<ContentAutomaton, 'epsilon'>, states: Iterable<number>): number[] {
  const seen = new Set<number>();
  const stack = [...states];
  while (stack.length > 0) {
    const state = stack.pop() as number;
    if (seen.has(state)) continue;
    seen.add(state);
    for (const next of automaton.epsilon[state] ?? []) stack.push(next);
  }
  return [...seen].sort((a, b) => a - b);
}

const automata = new WeakMap<ComplexTypeDef, ContentAutomaton>();

export function contentAutomaton(type: ComplexTypeDef): ContentAutomaton {
  const known = automata.get(type);
  if (known) return known;
  const builder = new AutomatonBuilder();
  const start = builder.state();
  const accept = type.content ? builder.build(type.content, start) : start;
  if (type.content) builder.countLimits(type.content, 1);
  const automaton: ContentAutomaton = {
    start: [],
    accept,
    epsilon: builder.epsilon,
    edges: builder.edges,
    decls: builder.decls,
    maxTotal: builder.maxTotal,
    stepCache: new Map(),
    stepByStates: new WeakMap(),
  };
  automaton.start = closure(automaton, [start]);
  automata.set(type, automaton);
  return automaton;
}

function step(automaton: ContentAutomaton, states: number[], key: string): number[] {
  let byKey = automaton.stepByStates.get(states);
  const known = byKey?.get(key);
  if (known) return known;
  const cacheKey = `${states.join(',')}>${key}`;
  let next = automaton.stepCache.get(cacheKey);
  if (!next) {
    const targets: number[] = [];
    for (const state of states) {
      for (const edge of automaton.edges[state] ?? []) if (edge.key === key) targets.push(edge.to);
    }
    next = targets.length === 0 ? [] : closure(automaton, targets);
    if (automaton.stepCache.size < STEP_CACHE_LIMIT) automaton.stepCache.set(cacheKey, next);
  }
  if (!byKey) {
    byKey = new Map();
    automaton.stepByStates.set(states, byKey);
  }
  if (byKey.size < STEP_CACHE_LIMIT) byKey.set(key, next);
  return next;
}

/** Every state the model can be in right after an element `key`, wherever it occurs. */
function statesAfter(automaton: ContentAutomaton, key: string): number[] {
  const targets: number[] = [];
  automaton.edges.forEach((edges) => {
    for (const edge of edges) if (edge.key === key) targets.push(edge.to);
  });
  return closure(automaton, targets);
}

function expectedKeys(automaton: ContentAutomaton, states: number[]): string[] {
  const keys = new Set<string>();
  for (const state of states) for (const edge of automaton.edges[state] ?? []) keys.add(edge.key);
  return [...keys];
}

function accepts(automaton: ContentAutomaton, states: number[]): boolean {
  return states.includes(automaton.accept);
}

/** The fewest elements to insert (at most MAX_INSERTION) for `goal` to hold, breadth first. */
function shortestInsertion(automaton: ContentAutomaton, from: number[], goal: (states: number[]) => boolean): { keys: string[]; states: number[] } | null {
  const queue: Array<{ states: number[]; keys: string[] }> = [{ states: from, keys: [] }];
  const seen = new Set([from.join(',')]);
  let explored = 0;
  for (let head = 0; head < queue.length && explored < MAX_SEARCH; head += 1) {
    const current = queue[head] as { states: number[]; keys: string[] };
    if (current.keys.length >= MAX_INSERTION) continue;
    for (const key of expectedKeys(automaton, current.states)) {
      explored += 1;
      const next = step(automaton, current.states, key);
      const id = next.join(',');
      if (next.length === 0 || seen.has(id)) continue;
      seen.add(id);
      const keys = [...current.keys, key];
      if (goal(next)) return { keys, states: next };
      queue.push({ states: next, keys });
    }
  }
  return null;
}

/**
 * Elements that are another way to satisfy the model where `chosen` is missing: after one of them
 * `chosen` is no longer possible (they exclude each other, as in an xs:choice) and the goal is
 * still reachable. Optional elements that merely precede `chosen` are not alternatives.
 */
function alternativesTo(automaton: ContentAutomaton, states: number[], chosen: string, goal: (states: number[]) => boolean): string[] {
  const alternatives: string[] = [];
  for (const key of expectedKeys(automaton, states)) {
    if (key === chosen) continue;
    const after = step(automaton, states, key);
    if (step(automaton, after, chosen).length > 0) continue;
    if (goal(after) || shortestInsertion(automaton, after, goal)) alternatives.push(nameOf(automaton, key));
  }
  return alternatives;
}

function nameOf(automaton: ContentAutomaton, key: string): string {
  return automaton.decls.get(key)?.name ?? key.slice(key.indexOf('|') + 1);
}

export function matchContent(automaton: ContentAutomaton, children: XmlElement[]): ContentMatch {
  const decls: Array<ElementDecl | null> = [];
  const problems: ContentProblem[] = [];
  const seenCount = new Map<string, number>();
  // Elements already reported as "must come before …": their late occurrence is not a new mistake.
  const displaced = new Set<string>();
  let states = automaton.start;

  children.forEach((child, index) => {
    let key = elementKey(child.uri, child.local);
    if (!automaton.decls.has(key)) {
      const sameName = [...automaton.decls.entries()].find(([, decl]) => decl.name === child.local);
      if (!sameName) {
        problems.push({ kind: 'unknown', index, expected: expectedKeys(automaton, states).map((k) => nameOf(automaton, k)) });
        decls.push(null);
        return;
      }
      problems.push({ kind: 'wrongNamespace', index, expectedNamespace: sameName[1].namespace });
      key = sameName[0];
    }
    const decl = automaton.decls.get(key) ?? null;
    decls.push(decl);
    const count = (seenCount.get(key) ?? 0) + 1;
    seenCount.set(key, count);

    const next = step(automaton, states, key);
    if (next.length > 0) {
      states = next;
      return;
    }
    if (displaced.delete(key)) return;
    const goal = (candidate: number[]): boolean => step(automaton, candidate, key).length > 0;
    const insertion = shortestInsertion(automaton, states, goal);
    if (insertion) {
      const later = new Set(children.slice(index + 1).map((sibling) => sibling.local));
      const outOfOrder = insertion.keys.filter((k) => later.has(nameOf(automaton, k)));
      const missing = insertion.keys.filter((k) => !later.has(nameOf(automaton, k)));
      if (outOfOrder.length > 0) problems.push({ kind: 'order', index, mustPrecede: outOfOrder.map((k) => nameOf(automaton, k)) });
      if (missing.length > 0) {
        const alternatives = missing[0] === insertion.keys[0] ? alternativesTo(automaton, states, insertion.keys[0] ?? '', goal) : [];
        problems.push({ kind: 'missing', names: missing.map((k) => nameOf(automaton, k)), alternatives, beforeIndex: index });
      }
      for (const k of outOfOrder) displaced.add(k);
      states = step(automaton, insertion.states, key);
      return;
    }
    const maxAllowed = automaton.maxTotal.get(key) ?? null;
    problems.push({
      kind: 'unexpected',
      index,
      expected: expectedKeys(automaton, states).map((k) => nameOf(automaton, k)),
      endAllowed: accepts(automaton, states),
      maxAllowed: maxAllowed !== null && count > maxAllowed ? maxAllowed : null,
    });
    // Carry on as if it stood where the model has it, so what follows it is judged in its context
    // (Denominazione followed by Nome and Cognome: one error, not two).
    const resumed = statesAfter(automaton, key);
    if (resumed.length > 0) states = resumed;
  });

  if (!accepts(automaton, states)) {
    const goal = (candidate: number[]): boolean => accepts(automaton, candidate);
    const insertion = shortestInsertion(automaton, states, goal);
    const names = insertion ? insertion.keys.map((k) => nameOf(automaton, k)) : expectedKeys(automaton, states).map((k) => nameOf(automaton, k));
    const alternatives = insertion ? alternativesTo(automaton, states, insertion.keys[0] ?? '', goal) : [];
    problems.push({ kind: 'missing', names, alternatives, beforeIndex: null });
  }
  return { decls, problems };
}
