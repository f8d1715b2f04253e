// The operation handlers, by operation name.
import type { IppOperationName } from '../../ipp/tags.ts';
import type { OperationHandler } from '../operation-request.ts';
import { cancelJob, cancelMyJobs } from './cancel-jobs.ts';
import { closeJob, createJob, sendDocument } from './create-job.ts';
import { getJobAttributes, getJobs } from './job-queries.ts';
import { printJob, validateJob } from './print-job.ts';
import { getPrinterAttributes, identifyPrinter } from './printer-operations.ts';

export const OPERATION_HANDLERS: Partial<Record<IppOperationName, OperationHandler>> = {
  'Print-Job': printJob,
  'Validate-Job': validateJob,
  'Create-Job': createJob,
  'Send-Document': sendDocument,
  'Close-Job': closeJob,
  'Cancel-Job': cancelJob,
  'Cancel-My-Jobs': cancelMyJobs,
  'Get-Job-Attributes': getJobAttributes,
  'Get-Jobs': getJobs,
  'Get-Printer-Attributes': getPrinterAttributes,
  'Identify-Printer': identifyPrinter,
};
