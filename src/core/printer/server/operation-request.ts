// A validated IPP request as operations see it, with typed readers for its operation attributes.
// The checks every request must pass come first (RFC 8011 §4.1): version, request-id, the charset and
// natural-language attributes in first place, a supported operation, and a target printer (or job).
import { GROUP_TAG, OPERATION, type IppOperationName, type IppStatusName } from '../ipp/tags.ts';
import { findAttribute, type IppAttribute, type IppGroup, type IppMessage, type IppValue, type IppValueTag } from '../ipp/attributes.ts';
import { IppRequestError } from '../ipp/errors.ts';
import type { PrinterQueue } from '../ipp-printer-server.ts';
import { SUPPORTED_OPERATIONS } from './capabilities.ts';
import type { Job } from './job-store.ts';
import { parsePrinterPath, queueForPath, type PrinterUris } from './printer-paths.ts';
import type { PrinterRuntime } from './printer-runtime.ts';

export interface OperationRequest {
  readonly runtime: PrinterRuntime;
  readonly message: IppMessage;
  readonly operation: IppOperationName;
  readonly operationAttributes: readonly IppAttribute[];
  /** Job template attributes (the job attributes group). */
  readonly jobAttributes: readonly IppAttribute[];
  readonly queue: PrinterQueue;
  readonly uris: PrinterUris;
  /** requesting-user-name, if the client sent one. */
  readonly user: string | null;
  /** Document data following the message. */
  readonly data: AsyncIterable<Buffer>;
}

export interface OperationResult {
  status: IppStatusName;
  statusMessage?: string;
  /** Attributes or values the printer did not support, for the Unsupported Attributes group. */
  unsupported?: IppAttribute[];
  groups?: IppGroup[];
}

export type OperationHandler = (request: OperationRequest) => Promise<OperationResult>;

export const NAME_TAGS: readonly IppValueTag[] = ['name', 'nameWithLanguage'];
export const TEXT_TAGS: readonly IppValueTag[] = ['text', 'textWithLanguage'];

const PRINTER_OPERATIONS: ReadonlySet<IppOperationName> = new Set<IppOperationName>([
  'Print-Job',
  'Validate-Job',
  'Create-Job',
  'Get-Printer-Attributes',
  'Get-Jobs',
  'Cancel-My-Jobs',
  'Identify-Printer',
]);

const operationsByCode = new Map<number, IppOperationName>(
  (Object.entries(OPERATION) as [IppOperationName, number][]).filter(([name]) => SUPPORTED_OPERATIONS.includes(name)).map(([name, code]) => [code, name]),
);

export interface RequestTarget {
  runtime: PrinterRuntime;
  /** The queue the HTTP request was posted to. */
  queue: PrinterQueue;
  uris: (queue: PrinterQueue) => PrinterUris;
  data: AsyncIterable<Buffer>;
}

/** Applies the checks every request must pass and resolves the operation and its target queue. */
export function validateRequest(message: IppMessage, target: RequestTarget): OperationRequest {
  if (message.version.major !== 1 && message.version.major !== 2) {
    throw new IppRequestError(
      'server-error-version-not-supported',
      `IPP version ${message.version.major}.${message.version.minor} is not supported; use 1.1 or 2.0.`,
    );
  }
  if (message.requestId < 1) {
    throw new IppRequestError('client-error-bad-request', `The request-id must be from 1 to 2147483647, not ${message.requestId}.`);
  }
  const first = message.groups[0];
  if (!first || first.tag !== GROUP_TAG.operation) throw new IppRequestError('client-error-bad-request', 'The request has no operation attributes group.');
  const [charset, language] = first.attributes;
  if (charset?.name !== 'attributes-charset' || charset.values.length !== 1 || charset.values[0]!.tag !== 'charset') {
    throw new IppRequestError('client-error-bad-request', 'The first operation attribute must be attributes-charset.');
  }
  if (language?.name !== 'attributes-natural-language' || language.values.length !== 1 || language.values[0]!.tag !== 'naturalLanguage') {
    throw new IppRequestError('client-error-bad-request', 'The second operation attribute must be attributes-natural-language.');
  }
  const charsetName = charset.values[0].value.toLowerCase();
  if (charsetName !== 'utf-8' && charsetName !== 'us-ascii') {
    throw new IppRequestError('client-error-charset-not-supported', `The charset "${charsetName}" is not supported; use utf-8.`);
  }
  const operation = operationsByCode.get(message.code);
  if (!operation)
    throw new IppRequestError(
      'server-error-operation-not-supported',
      `Operation 0x${message.code.toString(16).padStart(4, '0')} is not supported by this printer.`,
    );

  const operationAttributes = first.attributes;
  const queue = targetQueue(operation, operationAttributes, target);
  const jobAttributes = message.groups.filter((group) => group.tag === GROUP_TAG.job).flatMap((group) => group.attributes);
  return {
    runtime: target.runtime,
    message,
    operation,
    operationAttributes,
    jobAttributes,
    queue,
    uris: target.uris(queue),
    user: readString(operationAttributes, 'requesting-user-name', NAME_TAGS) ?? null,
    data: target.data,
  };
}

function targetQueue(operation: IppOperationName, attributes: readonly IppAttribute[], target: RequestTarget): PrinterQueue {
  const printerUri = readString(attributes, 'printer-uri', ['uri']);
  const jobUri = PRINTER_OPERATIONS.has(operation) ? undefined : readString(attributes, 'job-uri', ['uri']);
  const uri = printerUri ?? jobUri;
  if (uri === undefined) {
    throw new IppRequestError(
      'client-error-bad-request',
      PRINTER_OPERATIONS.has(operation)
        ? 'The printer-uri operation attribute is missing.'
        : 'The request names no job: send printer-uri and job-id, or job-uri.',
    );
  }
  let pathname: string;
  try {
    pathname = new URL(uri).pathname;
  } catch {
    throw new IppRequestError('client-error-bad-request', `"${uri}" is not a valid URI.`);
  }
  const path = parsePrinterPath(pathname);
  // A URI naming one of the printer's paths picks the queue; any other path is taken to mean this printer.
  if (!path) return target.queue;
  const queue = queueForPath(target.runtime.queues, path);
  if (!queue) throw new IppRequestError('client-error-not-found', `There is no printer at "${uri}".`);
  return queue;
}

function only(attributes: readonly IppAttribute[], name: string, tags: readonly IppValueTag[]): IppValue | undefined {
  const attribute = findAttribute(attributes, name);
  if (!attribute) return undefined;
  const value = attribute.values[0];
  if (attribute.values.length !== 1 || !value || !tags.includes(value.tag)) {
    throw new IppRequestError('client-error-bad-request', `The operation attribute ${name} must be a single ${tags.join(' or ')} value.`);
  }
  return value;
}

/** A single string operation attribute of one of the given syntaxes; a wrong syntax is a bad request. */
export function readString(attributes: readonly IppAttribute[], name: string, tags: readonly IppValueTag[]): string | undefined {
  const value = only(attributes, name, tags);
  return value && 'value' in value && typeof value.value === 'string' ? value.value : undefined;
}

export function readInteger(attributes: readonly IppAttribute[], name: string): number | undefined {
  const value = only(attributes, name, ['integer']);
  return value?.tag === 'integer' ? value.value : undefined;
}

export function readBoolean(attributes: readonly IppAttribute[], name: string): boolean | undefined {
  const value = only(attributes, name, ['boolean']);
  return value?.tag === 'boolean' ? value.value : undefined;
}

/** A 1setOf keyword operation attribute (requested-attributes, which-jobs, ...). */
export function readKeywords(attributes: readonly IppAttribute[], name: string): string[] | undefined {
  const attribute = findAttribute(attributes, name);
  if (!attribute) return undefined;
  return attribute.values.map((value) => {
    if (value.tag !== 'keyword') throw new IppRequestError('client-error-bad-request', `The operation attribute ${name} must hold keywords.`);
    return value.value;
  });
}

export function readIntegers(attributes: readonly IppAttribute[], name: string): number[] | undefined {
  const attribute = findAttribute(attributes, name);
  if (!attribute) return undefined;
  return attribute.values.map((value) => {
    if (value.tag !== 'integer') throw new IppRequestError('client-error-bad-request', `The operation attribute ${name} must hold integers.`);
    return value.value;
  });
}

/** The job a job operation targets: job-id with printer-uri, or job-uri. */
export function targetJob(request: OperationRequest): Job {
  const { operationAttributes: attributes, runtime, queue } = request;
  let jobId = readInteger(attributes, 'job-id');
  if (jobId === undefined) {
    const jobUri = readString(attributes, 'job-uri', ['uri']);
    if (jobUri === undefined) throw new IppRequestError('client-error-bad-request', 'The request names no job: send job-id with printer-uri, or job-uri.');
    jobId = jobIdFromUri(jobUri);
  }
  const job = runtime.jobs.get(jobId, queue);
  if (!job) throw new IppRequestError('client-error-not-found', `Job #${jobId} does not exist on this printer (finished jobs are kept for an hour).`);
  return job;
}

function jobIdFromUri(uri: string): number {
  let pathname = '';
  try {
    pathname = new URL(uri).pathname;
  } catch {
    throw new IppRequestError('client-error-bad-request', `"${uri}" is not a valid URI.`);
  }
  const jobId = parsePrinterPath(pathname)?.jobId;
  if (!jobId) throw new IppRequestError('client-error-not-found', `"${uri}" is not a job of this printer.`);
  return jobId;
}
