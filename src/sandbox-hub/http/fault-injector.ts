// Scripted misbehaviour of the HTTPS face, so the agent's retry, hold and idempotency logic can be
// tested against real sockets: error statuses, resets, silent hangs, slow answers, and "stored, then
// reset".

export interface FaultRule {
  /** 'POST /v1/documents' | 'GET /v1/events' | 'GET /v1/account' | … | '*' (every /v1 route). */
  route: string;
  /** How many matching requests it applies to (default: until cleared). */
  times?: number;
  /** Status answered with a protocol error body (kind 'status'; default 500). */
  status?: number;
  retryAfterSeconds?: number;
  kind?: 'status' | 'reset' | 'timeout' | 'process-then-reset' | 'slow';
  /** kind 'slow': how long the request waits before it is processed normally. */
  delayMs?: number;
}

export type FaultAction =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'reset' }
  | { kind: 'timeout' }
  | { kind: 'process-then-reset' }
  | { kind: 'slow'; delayMs: number };

const KINDS = new Set(['status', 'reset', 'timeout', 'process-then-reset', 'slow']);

export class FaultInjector {
  private rules: { rule: FaultRule; remaining: number }[] = [];

  replace(rules: FaultRule[]): void {
    for (const rule of rules) validateRule(rule);
    this.rules = rules.map((rule) => ({ rule: { ...rule }, remaining: rule.times ?? Number.POSITIVE_INFINITY }));
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The fault for this request, if any; uses up one of the rule's `times`.
   * `routePattern` is the matched route (e.g. `/v1/documents/:id`), `path` the URL path.
   */
  take(method: string, routePattern: string | undefined, path: string): FaultAction | undefined {
    if (!path.startsWith('/v1/')) return undefined; // never break the admin API that clears faults
    const index = this.rules.findIndex(({ rule, remaining }) => remaining > 0 && matches(rule.route, method, routePattern, path));
    const entry = this.rules[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.rules.splice(index, 1);
    const { rule } = entry;
    const kind = rule.kind ?? 'status';
    if (kind === 'slow') return { kind, delayMs: rule.delayMs ?? 1000 };
    if (kind !== 'status') return { kind };
    return { kind: 'status', status: rule.status ?? 500, ...(rule.retryAfterSeconds !== undefined ? { retryAfterSeconds: rule.retryAfterSeconds } : {}) };
  }
}

function matches(route: string, method: string, routePattern: string | undefined, path: string): boolean {
  if (route.trim() === '*') return true;
  const [ruleMethod, rulePath] = route.trim().split(/\s+/, 2);
  if (!ruleMethod || !rulePath) return false;
  if (ruleMethod !== '*' && ruleMethod.toUpperCase() !== method.toUpperCase()) return false;
  return rulePath === '*' || rulePath === path || rulePath === routePattern || rulePath.replace(/\{(\w+)\}/g, ':$1') === routePattern;
}

function validateRule(rule: FaultRule): void {
  if (typeof rule.route !== 'string' || rule.route.trim() === '') throw new Error('a fault rule needs a route such as "POST /v1/documents" or "*"');
  if (rule.kind !== undefined && !KINDS.has(rule.kind)) throw new Error(`unknown fault kind "${String(rule.kind)}"`);
  if (rule.status !== undefined && (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599)) {
    throw new Error(`fault status ${String(rule.status)} is not an HTTP status`);
  }
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) throw new Error('fault times must be a whole number of 1 or more');
  if (rule.delayMs !== undefined && (!Number.isInteger(rule.delayMs) || rule.delayMs < 0 || rule.delayMs > 600_000)) {
    throw new Error('fault delayMs must be a whole number of milliseconds from 0 to 600000');
  }
}
