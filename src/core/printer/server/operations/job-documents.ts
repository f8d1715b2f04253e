// Shared by the operations that create jobs and receive documents (Print-Job, Validate-Job, Create-Job,
// Send-Document, Close-Job): reading document-format and compression, checking the job template,
// spooling the data, and handing the job over.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { attr, v, type IppAttribute } from '../../ipp/attributes.ts';
import { IppRequestError } from '../../ipp/errors.ts';
import { GROUP_TAG, type IppStatusName } from '../../ipp/tags.ts';
import { COMPRESSIONS, DEFAULT_DOCUMENT_FORMAT, DOCUMENT_FORMATS, MAX_ACTIVE_JOBS, MAX_CONCURRENT_DOCUMENTS, type Compression } from '../capabilities.ts';
import { receiveDocument } from '../document-receiver.ts';
import { jobStatusAttributes } from '../job-description.ts';
import { isTerminal, type Job, type NewJob, type ReceivedDocument } from '../job-store.ts';
import { checkJobTemplate } from '../job-template.ts';
import { NAME_TAGS, readBoolean, readInteger, readString, type OperationRequest, type OperationResult } from '../operation-request.ts';
import type { PrinterRuntime } from '../printer-runtime.ts';

/**
 * How long a job-creating response waits for the agent to take the document: long enough that the
 * client usually sees the final state at once (CUPS then skips a one-second poll), short enough never to stall it.
 */
const RESPONSE_GRACE_MS = 1000;

export interface DocumentParameters {
  format: string;
  compression: Compression;
}

export function readDocumentParameters(attributes: readonly IppAttribute[]): DocumentParameters {
  const format = (readString(attributes, 'document-format', ['mimeMediaType']) ?? DEFAULT_DOCUMENT_FORMAT).toLowerCase();
  if (!DOCUMENT_FORMATS.includes(format)) {
    throw new IppRequestError(
      'client-error-document-format-not-supported',
      `The document format "${format}" is not supported; send ${DOCUMENT_FORMATS.slice(0, -1).join(', ')}.`,
      [attr('document-format', v.mimeMediaType(format))],
    );
  }
  const compression = readString(attributes, 'compression', ['keyword']) ?? 'none';
  if (!(COMPRESSIONS as readonly string[]).includes(compression)) {
    throw new IppRequestError('client-error-compression-not-supported', `The compression "${compression}" is not supported; use ${COMPRESSIONS.join(', ')}.`, [
      attr('compression', v.keyword(compression)),
    ]);
  }
  return { format, compression: compression as Compression };
}

export interface PreparedJob {
  fields: NewJob;
  document: DocumentParameters;
  status: IppStatusName;
  unsupported: IppAttribute[];
}

/** Refuses new work while the printer is at its limits; clients retry on these statuses. */
export function assertCapacity(runtime: PrinterRuntime, adding: { job: boolean; document: boolean }): void {
  // The agent cannot take work (a full disk): the client keeps the job and sends it again.
  const unavailable = runtime.unavailable();
  if (unavailable) throw new IppRequestError('server-error-busy', `The printer cannot take documents now: ${unavailable}.`);
  if (adding.job && runtime.jobs.activeCount() >= MAX_ACTIVE_JOBS) {
    throw new IppRequestError('server-error-too-many-jobs', `The printer already has ${MAX_ACTIVE_JOBS} unfinished jobs; try again shortly.`);
  }
  if (adding.document && runtime.jobs.receivingCount() >= MAX_CONCURRENT_DOCUMENTS) {
    throw new IppRequestError('server-error-busy', `The printer is receiving ${MAX_CONCURRENT_DOCUMENTS} documents already; try again shortly.`);
  }
}

/** Validates a Print-Job, Validate-Job or Create-Job request; throws the IPP error that refuses it. */
export function prepareJob(request: OperationRequest): PreparedJob {
  const attributes = request.operationAttributes;
  const jobName = readString(attributes, 'job-name', NAME_TAGS);
  const documentName = readString(attributes, 'document-name', NAME_TAGS);
  const fidelity = readBoolean(attributes, 'ipp-attribute-fidelity') ?? false;
  const document = readDocumentParameters(attributes);
  const kOctets = readInteger(attributes, 'job-k-octets');
  const maxKOctets = Math.ceil(request.runtime.maxJobBytes / 1024);
  if (kOctets !== undefined && kOctets > maxKOctets) {
    throw new IppRequestError('client-error-request-entity-too-large', `The job is ${kOctets} KB; this printer accepts up to ${maxKOctets} KB.`, [
      attr('job-k-octets', v.integer(kOctets)),
    ]);
  }
  const template = checkJobTemplate(request.jobAttributes);
  if (template.unsupported.length > 0 && fidelity) {
    throw new IppRequestError(
      'client-error-attributes-or-values-not-supported',
      `Unsupported job attributes with ipp-attribute-fidelity: ${template.unsupported.map((a) => a.name).join(', ')}.`,
      template.unsupported,
    );
  }
  return {
    fields: {
      queue: request.queue,
      name: jobName ?? documentName ?? null,
      user: request.user,
      template: template.accepted,
      copies: template.copies,
      media: template.media,
      documentName: documentName ?? null,
    },
    document,
    status: template.unsupported.length > 0 ? 'successful-ok-ignored-or-substituted-attributes' : 'successful-ok',
    unsupported: template.unsupported,
  };
}

/**
 * Spools the request's document data for the job. Returns null when the request carried no data.
 * A failure aborts the job (its reason becomes job-state-message) and is rethrown for the response.
 */
export async function receiveJobDocument(request: OperationRequest, job: Job, parameters: DocumentParameters): Promise<ReceivedDocument | null> {
  const { runtime } = request;
  const file = join(runtime.spoolDir, `ipp-job-${job.id}-${randomUUID()}.spool`);
  job.receiving = true;
  let size: number;
  try {
    size = await receiveDocument({ data: request.data, compression: parameters.compression, file, maxBytes: runtime.maxJobBytes - job.size });
  } catch (error) {
    const reason = (error as Error).message;
    if (!isTerminal(job)) runtime.jobs.setState(job, 'aborted', ['aborted-by-system'], reason);
    runtime.log.warn('print job data refused', { queue: job.queue.profileId, jobId: job.id, reason });
    throw error;
  } finally {
    job.receiving = false;
  }
  if (isTerminal(job)) {
    await rm(file, { force: true });
    throw new IppRequestError('server-error-job-canceled', `Job #${job.id} was ${job.state} while its document was arriving.`);
  }
  if (size === 0) {
    await rm(file, { force: true });
    return null;
  }
  job.size += size;
  return { file, size, format: parameters.format };
}

/** Hands the job's document to the agent, waiting a moment so the response can report the outcome. */
export async function startProcessing(runtime: PrinterRuntime, job: Job): Promise<void> {
  runtime.openJobTimeouts.clear(job);
  job.open = false;
  if (!job.document) {
    runtime.jobs.setState(job, 'aborted', ['aborted-by-system'], 'The job was closed without any document.');
    return;
  }
  const processed = runtime.processor.start(job);
  await Promise.race([processed, delay(RESPONSE_GRACE_MS, undefined, { ref: false })]);
}

/** The answer to Print-Job and Create-Job: the new job's status (RFC 8011 §4.2.1.2). */
export function createdJobResult(request: OperationRequest, job: Job, prepared: PreparedJob): OperationResult {
  const ahead = request.runtime.jobs.list(job.queue).filter((other) => other.id !== job.id && !isTerminal(other) && other.createdAt <= job.createdAt).length;
  return {
    status: prepared.status,
    ...(prepared.unsupported.length > 0 ? { statusMessage: 'Some job attributes are not supported and were ignored.', unsupported: prepared.unsupported } : {}),
    groups: [{ tag: GROUP_TAG.job, attributes: [...jobStatusAttributes(job, request.uris), attr('number-of-intervening-jobs', v.integer(ahead))] }],
  };
}

export function jobStatusResult(request: OperationRequest, job: Job): OperationResult {
  return { status: 'successful-ok', groups: [{ tag: GROUP_TAG.job, attributes: jobStatusAttributes(job, request.uris) }] };
}
