// Get-Job-Attributes (RFC 8011 §4.3.4) and Get-Jobs (§4.2.6, with PWG 5100.11's job-ids).
import { attr, v } from '../../ipp/attributes.ts';
import { IppRequestError } from '../../ipp/errors.ts';
import { GROUP_TAG } from '../../ipp/tags.ts';
import { WHICH_JOBS } from '../capabilities.ts';
import { ANONYMOUS_USER, jobAttributes } from '../job-description.ts';
import { isTerminal, type Job } from '../job-store.ts';
import {
  readBoolean,
  readInteger,
  readIntegers,
  readKeywords,
  readString,
  targetJob,
  type OperationRequest,
  type OperationResult,
} from '../operation-request.ts';
import { attributeSelector } from '../requested-attributes.ts';

export async function getJobAttributes(request: OperationRequest): Promise<OperationResult> {
  const job = targetJob(request);
  const select = attributeSelector(readKeywords(request.operationAttributes, 'requested-attributes'), ['all']);
  return { status: 'successful-ok', groups: [{ tag: GROUP_TAG.job, attributes: jobAttributes(job, request.uris, request.runtime.clock, select) }] };
}

export async function getJobs(request: OperationRequest): Promise<OperationResult> {
  const attributes = request.operationAttributes;
  const which = readString(attributes, 'which-jobs', ['keyword']) ?? 'not-completed';
  if (!WHICH_JOBS.includes(which)) {
    throw new IppRequestError('client-error-attributes-or-values-not-supported', `which-jobs "${which}" is not supported; use ${WHICH_JOBS.join(', ')}.`, [
      attr('which-jobs', v.keyword(which)),
    ]);
  }
  const limit = readInteger(attributes, 'limit');
  if (limit !== undefined && limit < 1) throw new IppRequestError('client-error-bad-request', `limit must be at least 1, not ${limit}.`);
  const myJobs = readBoolean(attributes, 'my-jobs') ?? false;
  const ids = readIntegers(attributes, 'job-ids');
  const user = request.user ?? ANONYMOUS_USER;

  let jobs = request.runtime.jobs.list(request.queue);
  jobs = ids ? jobs.filter((job) => ids.includes(job.id)) : ordered(jobs, which);
  if (myJobs) jobs = jobs.filter((job) => (job.user ?? ANONYMOUS_USER) === user);
  if (limit !== undefined) jobs = jobs.slice(0, limit);

  const select = attributeSelector(readKeywords(attributes, 'requested-attributes'), ['job-id', 'job-uri']);
  const { uris, runtime } = request;
  return {
    status: 'successful-ok',
    groups: jobs.map((job) => ({ tag: GROUP_TAG.job, attributes: jobAttributes(job, uris, runtime.clock, select) })),
  };
}

/** Not-completed jobs in the order they will be processed, then completed ones, most recently finished first. */
function ordered(jobs: Job[], which: string): Job[] {
  const active = jobs.filter((job) => !isTerminal(job));
  const finished = jobs.filter((job) => isTerminal(job)).sort((a, b) => (b.completedAt?.getTime() ?? 0) - (a.completedAt?.getTime() ?? 0) || b.id - a.id);
  if (which === 'completed') return finished;
  if (which === 'not-completed') return active;
  return [...active, ...finished];
}
