// Print-Job (RFC 8011 §4.2.1) and Validate-Job (§4.2.3).
import { IppRequestError } from '../../ipp/errors.ts';
import type { OperationRequest, OperationResult } from '../operation-request.ts';
import { assertCapacity, createdJobResult, prepareJob, receiveJobDocument, startProcessing } from './job-documents.ts';

export async function printJob(request: OperationRequest): Promise<OperationResult> {
  const prepared = prepareJob(request);
  const { jobs } = request.runtime;
  assertCapacity(request.runtime, { job: true, document: true });
  const job = jobs.create(prepared.fields, 'pending', ['job-incoming']);
  const document = await receiveJobDocument(request, job, prepared.document);
  if (!document) {
    jobs.setState(job, 'aborted', ['aborted-by-system'], 'The Print-Job request carried no document.');
    throw new IppRequestError('client-error-bad-request', 'The Print-Job request carried no document data.');
  }
  job.document = document;
  await startProcessing(request.runtime, job);
  return createdJobResult(request, job, prepared);
}

export async function validateJob(request: OperationRequest): Promise<OperationResult> {
  const prepared = prepareJob(request);
  return prepared.unsupported.length > 0
    ? { status: prepared.status, statusMessage: 'Some job attributes are not supported and would be ignored.', unsupported: prepared.unsupported }
    : { status: prepared.status };
}
