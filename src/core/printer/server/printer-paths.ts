// URL layout: each queue at /ipp/print/<profileId>, the first queue also at /ipp/print,
// jobs at /ipp/print/<profileId>/jobs/<jobId>, a page and an icon for people and print dialogs.
import type { PrinterQueue } from '../ipp-printer-server.ts';

const PRINTER_ROOT = '/ipp/print';

export interface PrinterPath {
  /** null for the bare /ipp/print, which stands for the first queue. */
  profileId: string | null;
  jobId: number | null;
  /** A file under the printer (icon.png), for GET. */
  resource: string | null;
}

const SEGMENT = /^[A-Za-z0-9._~-]+$/;

/** Parses the path part of a printer, job or resource URL; null when it is none of ours. */
export function parsePrinterPath(pathname: string): PrinterPath | null {
  const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (trimmed === PRINTER_ROOT) return { profileId: null, jobId: null, resource: null };
  if (!trimmed.startsWith(`${PRINTER_ROOT}/`)) return null;
  const segments = trimmed.slice(PRINTER_ROOT.length + 1).split('/');
  if (!segments.every((segment) => SEGMENT.test(segment))) return null;
  const [profileId, second, third] = segments;
  if (segments.length === 1) return { profileId: profileId!, jobId: null, resource: null };
  if (segments.length === 2 && second === 'icon.png') return { profileId: profileId!, jobId: null, resource: second };
  if (segments.length === 3 && second === 'jobs' && /^[1-9]\d{0,9}$/.test(third!)) {
    return { profileId: profileId!, jobId: Number(third), resource: null };
  }
  return null;
}

export function queueForPath(queues: readonly PrinterQueue[], path: PrinterPath): PrinterQueue | undefined {
  return path.profileId === null ? queues[0] : queues.find((queue) => queue.profileId === path.profileId);
}

/** The URIs a response names, built on the authority the client used (its Host header). */
export class PrinterUris {
  readonly authority: string;
  /** Whether the client reached the printer through the bare /ipp/print alias. */
  private readonly viaAlias: boolean;

  constructor(authority: string, viaAlias: boolean) {
    this.authority = authority;
    this.viaAlias = viaAlias;
  }

  printer(queue: PrinterQueue): string {
    return `ipp://${this.authority}${this.viaAlias ? PRINTER_ROOT : queuePath(queue)}`;
  }

  job(queue: PrinterQueue, jobId: number): string {
    return `ipp://${this.authority}${queuePath(queue)}/jobs/${jobId}`;
  }

  moreInfo(queue: PrinterQueue): string {
    return `http://${this.authority}${queuePath(queue)}`;
  }

  icon(queue: PrinterQueue): string {
    return `http://${this.authority}${queuePath(queue)}/icon.png`;
  }
}

export function queuePath(queue: PrinterQueue): string {
  return `${PRINTER_ROOT}/${encodeURIComponent(queue.profileId)}`;
}
