// Runs each accepted document through its SdiPlan, one step at a time after the configured delay.
// Every step is one SQLite transaction: status, event, notification file and the next pending step,
// so a hub stopped between steps resumes from hub.sqlite exactly where it was.
import type { HubEvent, HubStatus } from '../../contract/hub-protocol.ts';
import type { HubDatabase } from '../store/hub-database.ts';
import { nextCounter } from '../store/hub-database.ts';
import type { DocumentRow, DocumentsRepository } from '../store/documents-repository.ts';
import type { EventsRepository, NewEvent } from '../store/events-repository.ts';
import type { PendingStepsRepository } from '../store/pending-steps-repository.ts';
import type { EventNotifier } from '../processing/event-notifier.ts';
import { buildNotificationXml, notificationFileName } from './notification-xml.ts';
import type { SdiStep, StepDelay } from './sdi-plan.ts';
import { stepMessage } from './step-messages.ts';

/** The hub's own identity as SDI transmitter: the `IT…` prefix of the file names it assigns. */
const HUB_TRANSMITTER_ID = '12345678903';

export type SdiDelays = Record<StepDelay, number>;

export interface SdiSimulatorDeps {
  db: HubDatabase;
  documents: DocumentsRepository;
  events: EventsRepository;
  pending: PendingStepsRepository;
  notifier: EventNotifier;
  delays: SdiDelays;
  now: () => Date;
}

export class SdiSimulator {
  private readonly deps: SdiSimulatorDeps;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(deps: SdiSimulatorDeps) {
    this.deps = deps;
  }

  /** Picks up every step left pending by an earlier run (overdue ones run at once). */
  resume(): void {
    for (const step of this.deps.pending.all()) this.schedule(step.documentId, step.dueAtMs);
  }

  /** Writes the first pending step of a new document; call inside the transaction that creates it. */
  planFirstStep(document: DocumentRow): number {
    const dueAtMs = this.dueAfter(document.plan.steps[0]);
    this.deps.pending.set({ documentId: document.id, stepIndex: 0, dueAtMs });
    return dueAtMs;
  }

  schedule(documentId: string, dueAtMs: number): void {
    if (this.closed) return;
    clearTimeout(this.timers.get(documentId));
    const timer = setTimeout(() => this.runDue(documentId), Math.max(0, dueAtMs - Date.now()));
    timer.unref();
    this.timers.set(documentId, timer);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private dueAfter(step: SdiStep | undefined): number {
    return Date.now() + (step ? this.deps.delays[step.delay] : 0);
  }

  private runDue(documentId: string): void {
    this.timers.delete(documentId);
    if (this.closed) return;
    let nextDue: number | undefined;
    try {
      nextDue = this.deps.db.transaction(() => this.runStep(documentId))();
    } catch (error) {
      nextDue = undefined;
      this.failAfterBug(documentId, error);
    }
    this.deps.notifier.notify();
    if (nextDue !== undefined) this.schedule(documentId, nextDue);
  }

  /** Runs the pending step; returns when the next one is due, or undefined when the plan is done. */
  private runStep(documentId: string): number | undefined {
    const pending = this.deps.pending.get(documentId);
    const document = this.deps.documents.byId(documentId);
    if (!pending || !document) return undefined;
    const steps = document.plan.steps;
    const step = steps[pending.stepIndex];
    if (step) this.apply(document, step);
    const nextIndex = pending.stepIndex + 1;
    const next = steps[nextIndex];
    if (!step || !next) {
      this.deps.pending.remove(documentId);
      return undefined;
    }
    const dueAtMs = this.dueAfter(next);
    this.deps.pending.set({ documentId, stepIndex: nextIndex, dueAtMs });
    return dueAtMs;
  }

  private apply(document: DocumentRow, step: SdiStep): void {
    const at = this.deps.now();
    switch (step.kind) {
      case 'processing':
        this.record(document, 'processing', at, { message: stepMessage(document, step) });
        return;
      case 'failed':
        this.record(document, 'failed', at, { message: step.reason, errors: [{ code: 'processing_failed', description: step.reason }] });
        return;
      case 'sent': {
        const sdiId = String(nextCounter(this.deps.db, 'sdi-id', 100_000_001));
        const progressive = nextCounter(this.deps.db, 'file-progressive', 1) % 36 ** 5;
        const fileName = `IT${HUB_TRANSMITTER_ID}_${progressive.toString(36).toUpperCase().padStart(5, '0')}${document.plan.transmittedExtension}`;
        this.deps.documents.setSent(document.id, sdiId, fileName, at.toISOString());
        const sent = { ...document, sdiId, sdiFileName: fileName, sdiSentAt: at.toISOString() };
        this.record(sent, 'sent', at, { message: stepMessage(sent, step) });
        return;
      }
      case 'paid':
        this.record(document, 'paid', at, { message: stepMessage(document, step) });
        return;
      case 'notification':
        this.notify(document, step, at);
        return;
    }
  }

  private notify(document: DocumentRow, step: Extract<SdiStep, { kind: 'notification' }>, at: Date): void {
    if (!document.sdiId || !document.sdiFileName || !document.sdiSentAt) {
      throw new Error(`document ${document.id} has a ${step.type} step before it was sent to SDI`);
    }
    const name = notificationFileName(document.sdiFileName, step.type, this.deps.documents.nextNotificationNumber(document.id));
    const xml = buildNotificationXml({
      type: step.type,
      sdiId: document.sdiId,
      fileName: document.sdiFileName,
      receivedAt: new Date(document.sdiSentAt),
      at,
      recipient: document.plan.recipient,
      messageId: String(nextCounter(this.deps.db, 'message-id', 7_000_001)),
      transmittedSha256: document.sha256,
      ...(step.errors ? { errors: step.errors } : {}),
      ...(step.esito ? { esito: step.esito } : {}),
      ...(step.description ? { description: step.description } : {}),
      ...(document.plan.invoice ? { invoice: document.plan.invoice } : {}),
    });
    this.deps.documents.addFile(
      document.id,
      { name, kind: 'sdi_notification', contentType: 'application/xml', bytes: Buffer.from(xml, 'utf8') },
      at.toISOString(),
    );
    this.record(document, step.status, at, {
      message: stepMessage(document, step),
      notification: { type: step.type, fileName: name },
      files: [name],
      ...(step.errors ? { errors: step.errors } : {}),
    });
  }

  private record(document: DocumentRow, status: HubStatus, at: Date, extra: Partial<NewEvent>): HubEvent {
    this.deps.documents.setStatus(document.id, status);
    return this.deps.events.append(document.accountId, {
      documentId: document.id,
      idempotencyKey: document.idempotencyKey,
      status,
      at: at.toISOString(),
      ...(document.sdiId && document.sdiFileName ? { sdi: { id: document.sdiId, fileName: document.sdiFileName } } : {}),
      ...extra,
    });
  }

  /** A step that throws is a sandbox bug: fail the document visibly instead of retrying forever. */
  private failAfterBug(documentId: string, error: unknown): void {
    const reason = `The sandbox hub hit an internal error while simulating SDI: ${(error as Error).message ?? String(error)}`;
    console.error(`[sandbox-hub] ${reason}`, error);
    try {
      this.deps.db.transaction(() => {
        this.deps.pending.remove(documentId);
        const document = this.deps.documents.byId(documentId);
        if (document) this.record(document, 'failed', this.deps.now(), { message: reason, errors: [{ code: 'internal_error', description: reason }] });
      })();
    } catch (secondary) {
      console.error('[sandbox-hub] could not record the failure', secondary);
    }
  }
}
