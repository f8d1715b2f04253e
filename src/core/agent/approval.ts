// Manual approval and dual control (docs/approval.md). A person approves (the document is queued,
// or held) or refuses (it ends `declined` with their reason) documents awaiting approval, one or many
// at once; with dual control the decider must be a registered approver, proved by their PIN, and not
// the person who captured the document. The register of approvers (names, OS accounts, PIN hashes)
// and the lockout after wrong PINs live here too. Every decision, refused self-approval, wrong PIN
// and change to the register is an event of the hash-chained log, with the OS user running the agent.
import { userInfo } from 'node:os';
import type { Store } from '../store/store.ts';
import type { DocumentRecord } from '../store/documents.ts';
import type { ApproverRecord } from '../store/approvers.ts';
import type { Settings } from '../config/settings-schema.ts';
import type { HoldController } from '../sync/hold.ts';
import type { Logger } from '../log/logger.ts';
import { hashPin, pinProblem, verifyPin, type PinHash } from '../util/pin-hash.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { AgentError } from '../agent-error.ts';
import { allows } from '../../contract/document-lifecycle.ts';
import type { DocumentEvent } from '../../contract/local-api.ts';
import type { DocumentState } from '../../contract/states.ts';
import type {
  ApprovalDecision,
  ApproverCredentials,
  ApproverView,
  DecisionOutcome,
  NewApproverBody,
  RemoveApproverBody,
  SubmittedBy,
} from '../../contract/approval.ts';

/** Wrong PINs in a row before an approver is locked out. */
export const PIN_ATTEMPTS = 5;
/** The first lockout; each wrong PIN after it doubles it, up to LOCKOUT_MAX_MS. */
export const LOCKOUT_BASE_MS = 30_000;
export const LOCKOUT_MAX_MS = 60 * 60_000;
export const MAX_DECISION_IDS = 500;
export const MAX_REASON_CHARS = 500;
export const MAX_APPROVER_NAME_CHARS = 80;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The lockout after `failures` wrong PINs in a row (0 below the limit). */
export function lockoutMs(failures: number): number {
  if (failures < PIN_ATTEMPTS) return 0;
  return Math.min(LOCKOUT_BASE_MS * 2 ** (failures - PIN_ATTEMPTS), LOCKOUT_MAX_MS);
}

/**
 * The OS account running this agent, as the events name it: `DOMAIN\user` on Windows, the login name
 * elsewhere. Documents from folders and the local API are recorded as captured by it.
 */
export function agentOsUser(): string {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    // No entry in the user database (a container's bare uid).
    name = process.env['USER'] ?? process.env['USERNAME'] ?? `uid ${process.getuid?.() ?? '?'}`;
  }
  const domain = process.platform === 'win32' ? process.env['USERDOMAIN'] : undefined;
  return domain ? `${domain}\\${name}` : name;
}

/** Who decided: a name (verified when a registered approver gave the right PIN), or nobody named. */
interface Decider {
  name: string | null;
  verified: boolean;
  /** The registered approver, when verified. */
  record: ApproverRecord | null;
}

export interface ApprovalOptions {
  store: Store;
  settings: Settings;
  hold: HoldController;
  /** Wakes the outbox after documents were queued. */
  wake: () => void;
  log: Logger;
  /** The OS user running the agent (agentOsUser()). */
  osUser: string;
  clock?: Clock;
}

export class ApprovalService {
  readonly #options: ApprovalOptions;
  readonly #clock: Clock;
  /** PIN checks of one approver run one after the other, so parallel guesses cannot outrun the lockout. */
  readonly #pinQueue = new Map<string, Promise<unknown>>();

  constructor(options: ApprovalOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  // ---- the register -------------------------------------------------------------------------

  approvers(): ApproverView[] {
    return this.#options.store.approvers.list().map((record) => this.#view(record));
  }

  /** The first approver needs nobody; each next one is vouched for by a registered approver and their PIN. */
  async addApprover(body: NewApproverBody): Promise<ApproverView> {
    const { store } = this.#options;
    const name = checkedName(body.name, 'name');
    const pin = checkedPin(body.pin);
    const osUser = checkedOsUser(body.osUser);
    let by: Decider | null = null;
    if (store.approvers.count() > 0) {
      if (!body.by) {
        throw new AgentError(
          'voucher_required',
          'approvers exist already: a registered approver must confirm the new one with their PIN ("by": {"approver", "pin"})',
          403,
        );
      }
      by = await this.#verify(body.by.approver, body.by.pin);
    }
    if (store.approvers.get(name)) throw new AgentError('approver_exists', `an approver named "${name}" exists already`, 409);
    const pinHash = JSON.stringify(await hashPin(pin));
    const added = store.transaction(() => {
      if (!store.approvers.insert({ name, osUser, pinHash })) return false;
      store.events.append({
        type: 'approver.added',
        message: `approver "${name}" added${by ? ` by ${by.name ?? ''}` : ''}`,
        data: { approver: name, approverOsUser: osUser, by: by?.name ?? null, osUser: this.#options.osUser },
      });
      return true;
    });
    if (!added) throw new AgentError('approver_exists', `an approver named "${name}" exists already`, 409);
    this.#options.log.info('approver added', { approver: name, by: by?.name ?? null });
    return this.#view(store.approvers.get(name)!);
  }

  async removeApprover(name: string, body: RemoveApproverBody): Promise<void> {
    const { store } = this.#options;
    const record = store.approvers.get(name);
    if (!record) throw new AgentError('unknown_approver', `no approver named "${name.slice(0, MAX_APPROVER_NAME_CHARS)}"`, 404);
    if (!body.by?.approver) throw new AgentError('voucher_required', 'a registered approver must confirm the removal with their PIN ("by")', 403);
    const by = await this.#verify(body.by.approver, body.by.pin);
    store.transaction(() => {
      store.approvers.remove(record.name);
      store.events.append({
        type: 'approver.removed',
        message: `approver "${record.name}" removed by ${by.name ?? ''}`,
        data: { approver: record.name, by: by.name, osUser: this.#options.osUser },
      });
    });
    this.#options.log.info('approver removed', { approver: record.name, by: by.name });
  }

  // ---- decisions ----------------------------------------------------------------------------

  /** One PIN check for all the ids, then each document on its own, in the order asked. */
  async approve(ids: readonly string[], credentials: ApproverCredentials): Promise<DecisionOutcome[]> {
    const list = checkedIds(ids);
    const decider = await this.#decider(credentials);
    const outcomes = list.map((id) => this.#outcome(id, () => this.#approveOne(id, decider)));
    if (outcomes.some((o) => o.ok)) this.#options.wake();
    return outcomes;
  }

  async refuse(ids: readonly string[], reason: string, credentials: ApproverCredentials): Promise<DecisionOutcome[]> {
    const list = checkedIds(ids);
    const why = checkedReason(reason);
    const decider = await this.#decider(credentials);
    return list.map((id) => this.#outcome(id, () => this.#refuseOne(id, why, decider)));
  }

  /** Whether a document was ever approved by a person (a retry of one that was not goes back to awaiting approval). */
  wasApproved(id: string): boolean {
    return this.#options.store.events.forDocument(id).some((e) => e.type === 'document.approved');
  }

  #outcome(id: string, decide: () => DocumentState): DecisionOutcome {
    try {
      return { id, ok: true, state: decide() };
    } catch (error) {
      if (!(error instanceof AgentError)) throw error;
      return { id, ok: false, status: error.status, code: error.code, message: error.message };
    }
  }

  #approveOne(id: string, decider: Decider): DocumentState {
    const { store, hold } = this.#options;
    // Checked and written without an await in between: nothing else changes the document meanwhile.
    const record = this.#decidable(id, 'approve');
    const dual = this.#dualControl(record.profile);
    if (dual) this.#requireVerified(decider, 'approve');
    const self = dual ? this.#selfApproval(record, decider) : null;
    if (self) {
      // The attempt itself is evidence: who tried, and why it was refused.
      store.transaction(() =>
        store.events.append({
          type: 'document.approval_refused',
          documentId: id,
          state: record.state,
          message: self,
          data: { code: 'self_approval', approver: decider.name, osUser: this.#options.osUser, submittedBy: record.submittedBy },
        }),
      );
      throw new AgentError('self_approval', self, 403);
    }
    return store.transaction(() => {
      const held = hold.current();
      const state: DocumentState = held ? 'held' : 'queued';
      store.documents.transition(
        id,
        { state, reason: held?.reason ?? null, reasonCode: null },
        {
          type: 'document.approved',
          message: `approved by ${describe(decider)}; OS user ${this.#options.osUser}`,
          data: { ...this.#who(decider), dualControl: dual, submittedBy: record.submittedBy },
        },
      );
      store.jobs.enqueue('upload', id);
      return state;
    });
  }

  #refuseOne(id: string, reason: string, decider: Decider): DocumentState {
    const { store } = this.#options;
    return store.transaction(() => {
      const record = this.#decidable(id, 'refuse');
      const dual = this.#dualControl(record.profile);
      // Refusing sends nothing, so one may refuse what one captured; under dual control the refusal
      // is still signed by a registered approver.
      if (dual) this.#requireVerified(decider, 'refuse');
      store.jobs.cancelForDocument('upload', id);
      store.documents.transition(
        id,
        { state: 'declined', reason, reasonCode: 'declined' },
        { type: 'document.declined', message: reason, data: { ...this.#who(decider), reason, dualControl: dual } },
      );
      return 'declined';
    });
  }

  #decidable(id: string, action: 'approve' | 'refuse'): DocumentRecord {
    const record = this.#options.store.documents.get(id);
    if (!record) throw new AgentError('not_found', `no document with id ${id}`, 404);
    if (!allows(record.state, action)) {
      const verb = action === 'approve' ? 'approved' : 'refused';
      throw new AgentError(`not_${action === 'approve' ? 'approvable' : 'refusable'}`, `a document in state "${record.state}" cannot be ${verb}`, 409);
    }
    return record;
  }

  /** The document's profile's setting; a profile no longer configured gets the strictest of the others. */
  #dualControl(profileId: string): boolean {
    const { profiles } = this.#options.settings;
    const profile = profiles.find((p) => p.id === profileId);
    return profile ? profile.dualControl : profiles.some((p) => p.dualControl);
  }

  #requireVerified(decider: Decider, action: 'approve' | 'refuse'): void {
    if (decider.verified) return;
    throw new AgentError(
      'approver_required',
      `this profile has dual control: only a registered approver may ${action} its documents, with their name and PIN`,
      403,
    );
  }

  /** Why approving `record` would be approving one's own document, or null when it would not. */
  #selfApproval(record: DocumentRecord, decider: Decider): string | null {
    const by = record.submittedBy;
    const approver = decider.record;
    if (!by || !approver) return null;
    if (by.name && sameName(by.name, approver.name)) {
      return `dual control: ${approver.name} released this document and cannot also approve it; another approver must`;
    }
    if (by.osUser && approver.osUser && by.osUser.toLowerCase() === approver.osUser.toLowerCase()) {
      return `dual control: this document was captured by the OS user ${by.osUser}, which is ${approver.name}'s account; another approver must approve it`;
    }
    return null;
  }

  #who(decider: Decider): { approver: string | null; verified: boolean; osUser: string } {
    return { approver: decider.name, verified: decider.verified, osUser: this.#options.osUser };
  }

  // ---- identities and PINs ------------------------------------------------------------------

  async #decider(credentials: ApproverCredentials): Promise<Decider> {
    const raw = credentials.approver;
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      if (credentials.pin) throw new AgentError('approver_required', "a PIN was given without the approver's name", 400);
      return { name: null, verified: false, record: null };
    }
    const name = checkedName(raw, 'approver');
    if (this.#options.store.approvers.get(name) || credentials.pin !== undefined) {
      return this.#verify(name, credentials.pin);
    }
    // A name nobody registered, without a PIN: recorded as said, marked unverified.
    return { name, verified: false, record: null };
  }

  /** Checks an approver's PIN, one check at a time per approver, with the lockout. */
  async #verify(rawName: unknown, pin: unknown): Promise<Decider> {
    const name = checkedName(rawName, 'approver');
    const key = name.normalize('NFC').toLowerCase();
    const previous = this.#pinQueue.get(key) ?? Promise.resolve();
    const turn = previous.then(
      () => this.#verifyNow(name, pin),
      () => this.#verifyNow(name, pin),
    );
    this.#pinQueue.set(key, turn);
    try {
      return await turn;
    } finally {
      if (this.#pinQueue.get(key) === turn) this.#pinQueue.delete(key);
    }
  }

  async #verifyNow(name: string, pin: unknown): Promise<Decider> {
    const { store, osUser } = this.#options;
    const record = store.approvers.get(name);
    if (!record) throw new AgentError('unknown_approver', `no approver named "${name}"`, 403);
    const now = this.#clock.now();
    const lockedUntil = record.lockedUntil ? Date.parse(record.lockedUntil) : 0;
    if (lockedUntil > now) throw lockedOut(record.name, lockedUntil, now);
    if (typeof pin !== 'string' || pin === '') throw new AgentError('pin_required', `${record.name} is a registered approver: give their PIN`, 400);
    if (await verifyPin(pin, JSON.parse(record.pinHash) as PinHash)) {
      if (record.failedPins > 0 || record.lockedUntil) store.transaction(() => store.approvers.clearFailures(record.name));
      return { name: record.name, verified: true, record };
    }
    const failures = record.failedPins + 1;
    const lock = lockoutMs(failures);
    const until = lock > 0 ? now + lock : null;
    store.transaction(() => {
      store.approvers.recordFailure(record.name, failures, until === null ? null : new Date(until).toISOString());
      store.events.append({
        type: until === null ? 'approver.pin_refused' : 'approver.locked',
        message: until === null ? `wrong PIN for ${record.name}` : `wrong PIN for ${record.name}: locked until ${new Date(until).toISOString()}`,
        data: { approver: record.name, failures, lockedUntil: until === null ? null : new Date(until).toISOString(), osUser },
      });
    });
    this.#options.log.warn('wrong approver PIN', { approver: record.name, failures, locked: until !== null });
    if (until !== null) throw lockedOut(record.name, until, now);
    const left = PIN_ATTEMPTS - failures;
    throw new AgentError(
      'wrong_pin',
      `wrong PIN for ${record.name}; ${left} more wrong PIN${left === 1 ? '' : 's'} and this approver is locked out for a while`,
      403,
      { attemptsLeft: left },
    );
  }

  #view(record: ApproverRecord): ApproverView {
    const locked = record.lockedUntil && Date.parse(record.lockedUntil) > this.#clock.now() ? record.lockedUntil : null;
    return { name: record.name, osUser: record.osUser, createdAt: record.createdAt, lockedUntil: locked };
  }
}

/** The last decision a person took on a document, read from its history. */
export function approvalOf(events: readonly DocumentEvent[]): ApprovalDecision | null {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i]!;
    if (event.type !== 'document.approved' && event.type !== 'document.declined') continue;
    const data = event.data ?? {};
    return {
      decision: event.type === 'document.approved' ? 'approved' : 'declined',
      approver: typeof data['approver'] === 'string' ? data['approver'] : null,
      verified: data['verified'] === true,
      osUser: typeof data['osUser'] === 'string' ? data['osUser'] : '',
      at: event.at,
      reason: event.type === 'document.declined' ? event.message : null,
    };
  }
  return null;
}

/** What the capture records as the submitter for a channel (docs/approval.md, "Identities"). */
export function submitter(osUser: string | null, name: string | null = null): SubmittedBy {
  return {
    osUser: osUser?.trim() ? osUser.trim().slice(0, 256) : null,
    name: name?.trim() ? name.normalize('NFC').trim().slice(0, MAX_APPROVER_NAME_CHARS) : null,
  };
}

function lockedOut(name: string, until: number, now: number): AgentError {
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  const retryAt = new Date(until).toISOString();
  return new AgentError('approver_locked', `too many wrong PINs for ${name}: try again after ${retryAt} (in ${seconds} s)`, 429, {
    retryAt,
    retryAfterSeconds: seconds,
  });
}

function describe(decider: Decider): string {
  if (!decider.name) return 'an unnamed user';
  return decider.verified ? `${decider.name} (PIN checked)` : `${decider.name} (name as given, no PIN)`;
}

function sameName(a: string, b: string): boolean {
  const key = (s: string): string => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  return key(a) === key(b);
}

function checkedName(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new AgentError('bad_body', `"${field}" must be a person's name`, 400);
  const name = value.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!name) throw new AgentError('bad_body', `"${field}" must not be empty`, 400);
  if (name.length > MAX_APPROVER_NAME_CHARS) throw new AgentError('bad_body', `"${field}" has at most ${MAX_APPROVER_NAME_CHARS} characters`, 400);
  if (CONTROL_CHARACTERS.test(name)) throw new AgentError('bad_body', `"${field}" may not hold control characters`, 400);
  return name;
}

function checkedPin(value: unknown): string {
  if (typeof value !== 'string') throw new AgentError('bad_pin', '"pin" must be text', 400);
  const problem = pinProblem(value);
  if (problem) throw new AgentError('bad_pin', problem, 400);
  return value;
}

function checkedOsUser(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.trim().length > 256 || CONTROL_CHARACTERS.test(value)) {
    throw new AgentError('bad_body', '"osUser" must be an OS account name', 400);
  }
  return value.trim() || null;
}

function checkedIds(ids: readonly unknown[]): string[] {
  if (!Array.isArray(ids) || ids.length === 0) throw new AgentError('bad_body', '"ids" must list at least one document id', 400);
  if (ids.length > MAX_DECISION_IDS) throw new AgentError('bad_body', `at most ${MAX_DECISION_IDS} documents at once`, 400);
  if (!ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 100)) throw new AgentError('bad_body', '"ids" must be document ids', 400);
  return [...new Set(ids as string[])];
}

function checkedReason(value: unknown): string {
  if (typeof value !== 'string') throw new AgentError('reason_required', 'say why the document is refused ("reason")', 400);
  const reason = value.replace(/\s+/g, ' ').trim();
  if (!reason) throw new AgentError('reason_required', 'say why the document is refused ("reason")', 400);
  if (reason.length > MAX_REASON_CHARS) throw new AgentError('bad_body', `the reason has at most ${MAX_REASON_CHARS} characters`, 400);
  if (CONTROL_CHARACTERS.test(reason)) throw new AgentError('bad_body', 'the reason may not hold control characters', 400);
  return reason;
}
