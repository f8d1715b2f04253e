// A job's attributes as Get-Job-Attributes and Get-Jobs report them (RFC 8011 §5.3).
import { attr, v, type IppAttribute, type IppValue } from '../ipp/attributes.ts';
import { JOB_STATE } from '../ipp/tags.ts';
import type { Job } from './job-store.ts';
import type { PrinterClock } from './printer-runtime.ts';
import { jobUuid, truncateUtf8 } from './printer-identity.ts';
import type { PrinterUris } from './printer-paths.ts';
import type { AttributeSelector } from './requested-attributes.ts';

export const ANONYMOUS_USER = 'anonymous';

function jobDisplayName(job: Job): string {
  return truncateUtf8(job.name ?? `Job ${job.id}`, 255);
}

/** The attributes that describe the job's state: what job-creating operations answer with. */
export function jobStatusAttributes(job: Job, uris: PrinterUris): IppAttribute[] {
  const attributes = [
    attr('job-id', v.integer(job.id)),
    attr('job-uri', v.uri(uris.job(job.queue, job.id))),
    attr('job-state', v.enum(JOB_STATE[job.state])),
    attr('job-state-reasons', ...job.reasons.map((reason) => v.keyword(reason))),
  ];
  if (job.message) attributes.push(attr('job-state-message', v.text(truncateUtf8(job.message, 1023))));
  return attributes;
}

/** Every job attribute, filtered by the requested-attributes selector. */
export function jobAttributes(job: Job, uris: PrinterUris, clock: PrinterClock, select: AttributeSelector): IppAttribute[] {
  const described: IppAttribute[] = [
    ...jobStatusAttributes(job, uris),
    attr('job-printer-uri', v.uri(uris.printer(job.queue))),
    attr('job-uuid', v.uri(jobUuid(job.queue.profileId, job.id))),
    attr('job-name', v.name(jobDisplayName(job))),
    attr('job-originating-user-name', v.name(truncateUtf8(job.user ?? ANONYMOUS_USER, 255))),
    attr('job-printer-up-time', v.integer(clock.upTime())),
    attr('time-at-creation', v.integer(clock.upTime(job.createdAt))),
    attr('time-at-processing', upTimeOrNoValue(clock, job.processingAt)),
    attr('time-at-completed', upTimeOrNoValue(clock, job.completedAt)),
    attr('date-time-at-creation', v.dateTime(job.createdAt)),
    attr('date-time-at-processing', dateOrNoValue(job.processingAt)),
    attr('date-time-at-completed', dateOrNoValue(job.completedAt)),
    attr('number-of-documents', v.integer(job.size > 0 || job.document ? 1 : 0)),
    attr('job-k-octets', v.integer(Math.ceil(job.size / 1024))),
  ];
  if (job.documentName) described.push(attr('document-name-supplied', v.name(truncateUtf8(job.documentName, 255))));
  const selected = described.filter((attribute) => select(attribute.name, 'job-description'));
  const template = job.template.filter((attribute) => select(attribute.name, 'job-template'));
  return [...selected, ...template];
}

function upTimeOrNoValue(clock: PrinterClock, at: Date | null): IppValue {
  return at ? v.integer(clock.upTime(at)) : v.outOfBand('no-value');
}

function dateOrNoValue(at: Date | null): IppValue {
  return at ? v.dateTime(at) : v.outOfBand('no-value');
}
