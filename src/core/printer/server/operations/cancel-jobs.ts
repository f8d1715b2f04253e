// Cancel-Job (RFC 8011 §4.3.3) and Cancel-My-Jobs (PWG 5100.11 §5.2).
// A job can be canceled until its document is handed to the agent; after that the agent owns it.
import { rm } from 'node:fs/promises';
import { attrOf, v } from '../../ipp/attributes.ts';
import { IppRequestError } from '../../ipp/errors.ts';
import { ANONYMOUS_USER } from '../job-description.ts';
import { isTerminal, type Job } from '../job-store.ts';
import { readIntegers, targetJob, type OperationRequest, type OperationResult } from '../operation-request.ts';
import type { PrinterRuntime } from '../printer-runtime.ts';

export async function cancelJob(request: OperationRequest): Promise<OperationResult> {
  const job = targetJob(request);
  if (request.user !== null && job.user !== null && request.user !== job.user) {
    throw new IppRequestError('client-error-not-authorized', `Job #${job.id} belongs to ${job.user}; only they can cancel it.`);
  }
  const refusal = whyNotCancelable(job);
  if (refusal) throw new IppRequestError('client-error-not-possible', refusal);
  await cancel(request.runtime, job, request.user);
  return { status: 'successful-ok' };
}

export async function cancelMyJobs(request: OperationRequest): Promise<OperationResult> {
  const { runtime, queue } = request;
  const user = request.user ?? ANONYMOUS_USER;
  const listed = readIntegers(request.operationAttributes, 'job-ids');
  const targets = listed
    ? listed.map((id) => {
        const job = runtime.jobs.get(id, queue);
        if (!job || (job.user ?? ANONYMOUS_USER) !== user)
          throw new IppRequestError('client-error-not-found', `Job #${id} is not one of ${user}'s jobs on this printer.`);
        return job;
      })
    : runtime.jobs.list(queue).filter((job) => (job.user ?? ANONYMOUS_USER) === user && !isTerminal(job));
  const refused = targets.filter((job) => whyNotCancelable(job) !== null);
  if (listed && refused.length > 0) {
    throw new IppRequestError('client-error-not-possible', `Jobs ${refused.map((job) => `#${job.id}`).join(', ')} cannot be canceled any more.`, [
      attrOf(
        'job-ids',
        v.integer,
        refused.map((job) => job.id),
      ),
    ]);
  }
  for (const job of targets) if (whyNotCancelable(job) === null) await cancel(runtime, job, request.user);
  return { status: 'successful-ok' };
}

function whyNotCancelable(job: Job): string | null {
  if (isTerminal(job)) return `Job #${job.id} is already ${job.state}.`;
  if (job.state === 'processing') return `Job #${job.id} has already been handed to Recapito; it cannot be canceled any more.`;
  return null;
}

async function cancel(runtime: PrinterRuntime, job: Job, user: string | null): Promise<void> {
  runtime.openJobTimeouts.clear(job);
  runtime.jobs.setState(job, 'canceled', ['job-canceled-by-user'], `Canceled by ${user ?? ANONYMOUS_USER}.`);
  const document = job.document;
  job.document = null;
  if (document) await rm(document.file, { force: true });
  runtime.log.info('print job canceled', { queue: job.queue.profileId, jobId: job.id });
}
