// Create-Job (RFC 8011 §4.2.4), Send-Document (§4.3.1) and Close-Job (PWG 5100.11 §5.3).
// A job holds one document (multiple-document-jobs-supported is false).
import { rm } from 'node:fs/promises';
import { IppRequestError } from '../../ipp/errors.ts';
import { isTerminal, type Job } from '../job-store.ts';
import { readBoolean, targetJob, type OperationRequest, type OperationResult } from '../operation-request.ts';
import { assertCapacity, createdJobResult, jobStatusResult, prepareJob, readDocumentParameters, receiveJobDocument, startProcessing } from './job-documents.ts';

export async function createJob(request: OperationRequest): Promise<OperationResult> {
  const prepared = prepareJob(request);
  assertCapacity(request.runtime, { job: true, document: false });
  const job = request.runtime.jobs.create(prepared.fields, 'pending-held', ['job-incoming']);
  job.open = true;
  request.runtime.openJobTimeouts.arm(job);
  return createdJobResult(request, job, prepared);
}

export async function sendDocument(request: OperationRequest): Promise<OperationResult> {
  const job = targetJob(request);
  const lastDocument = readBoolean(request.operationAttributes, 'last-document');
  if (lastDocument === undefined) throw new IppRequestError('client-error-bad-request', 'Send-Document needs the last-document operation attribute.');
  const parameters = readDocumentParameters(request.operationAttributes);
  assertOpen(job);
  const { runtime } = request;
  assertCapacity(runtime, { job: false, document: true });
  runtime.openJobTimeouts.clear(job);
  const document = await receiveJobDocument(request, job, parameters);
  if (document && job.document) {
    await rm(document.file, { force: true });
    runtime.openJobTimeouts.arm(job);
    throw new IppRequestError(
      'server-error-multiple-document-jobs-not-supported',
      `Job #${job.id} already has its document; this printer takes one document per job.`,
    );
  }
  if (document) job.document = document;
  if (lastDocument) await startProcessing(runtime, job);
  else runtime.openJobTimeouts.arm(job);
  return jobStatusResult(request, job);
}

export async function closeJob(request: OperationRequest): Promise<OperationResult> {
  const job = targetJob(request);
  assertOpen(job);
  await startProcessing(request.runtime, job);
  return jobStatusResult(request, job);
}

function assertOpen(job: Job): void {
  if (isTerminal(job)) throw new IppRequestError('client-error-not-possible', `Job #${job.id} is ${job.state}; it takes no more documents.`);
  if (!job.open) throw new IppRequestError('client-error-not-possible', `Job #${job.id} is already closed.`);
  if (job.receiving) throw new IppRequestError('server-error-busy', `Job #${job.id} is receiving another document; try again when it is done.`);
}
