// What the printer accepts. One table shared by the advertised *-supported attributes and the
// validation of incoming jobs, so the two can never disagree.
import type { IppResolution } from '../ipp/attributes.ts';
import { OPERATION, type IppOperationName } from '../ipp/tags.ts';

export const PREFERRED_DOCUMENT_FORMAT = 'application/pdf';
/** Auto-sensed: the server recognises PDF, JPEG and PWG Raster by their first bytes. */
export const DEFAULT_DOCUMENT_FORMAT = 'application/octet-stream';
export const DOCUMENT_FORMATS: readonly string[] = ['application/pdf', 'image/jpeg', 'image/pwg-raster', 'application/octet-stream'];

export const COMPRESSIONS = ['none', 'deflate', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export const SUPPORTED_OPERATIONS: readonly IppOperationName[] = [
  'Print-Job',
  'Validate-Job',
  'Create-Job',
  'Send-Document',
  'Cancel-Job',
  'Get-Job-Attributes',
  'Get-Jobs',
  'Get-Printer-Attributes',
  'Cancel-My-Jobs',
  'Close-Job',
  'Identify-Printer',
];

export const SUPPORTED_OPERATION_CODES: readonly number[] = SUPPORTED_OPERATIONS.map((name) => OPERATION[name]);

export const MAX_COPIES = 999;
export const PRINTER_RESOLUTIONS: readonly IppResolution[] = [
  { x: 300, y: 300, units: 'dpi' },
  { x: 600, y: 600, units: 'dpi' },
];
export const PWG_RASTER_RESOLUTIONS: readonly IppResolution[] = [{ x: 300, y: 300, units: 'dpi' }];
export const PWG_RASTER_TYPES: readonly string[] = ['sgray_8', 'srgb_8'];

export const SIDES: readonly string[] = ['one-sided'];
export const PRINT_QUALITIES: readonly number[] = [3, 4, 5];
export const ORIENTATIONS: readonly number[] = [3, 4, 5, 6];
export const FINISHINGS: readonly number[] = [3];
export const NUMBER_UP: readonly number[] = [1];
export const OUTPUT_BINS: readonly string[] = ['face-up'];
export const PRINT_COLOR_MODES: readonly string[] = ['auto', 'color', 'monochrome'];
export const PRINT_CONTENT_OPTIMIZE: readonly string[] = ['auto', 'graphic', 'photo', 'text', 'text-and-graphic'];
export const PRINT_RENDERING_INTENTS: readonly string[] = ['auto', 'absolute', 'perceptual', 'relative', 'relative-bpc', 'saturation'];
export const PRINT_SCALING: readonly string[] = ['auto', 'auto-fit', 'fill', 'fit', 'none'];
export const WHICH_JOBS: readonly string[] = ['completed', 'not-completed', 'all'];
export const IDENTIFY_ACTIONS: readonly string[] = ['display'];

/** Documents received at the same time, across all queues: more wait (server-error-busy, which clients retry). */
export const MAX_CONCURRENT_DOCUMENTS = 8;
/** Jobs not yet finished, across all queues: a client creating jobs in a loop cannot exhaust memory. */
export const MAX_ACTIVE_JOBS = 100;

/** Seconds a job created by Create-Job waits for its document before it is aborted. */
export const MULTIPLE_OPERATION_TIME_OUT_SECONDS = 60;

/** Job template attributes a client may send; each is advertised with -default and -supported. */
export const JOB_CREATION_ATTRIBUTES: readonly string[] = [
  'copies',
  'finishings',
  'ipp-attribute-fidelity',
  'job-name',
  'media',
  'media-col',
  'number-up',
  'orientation-requested',
  'output-bin',
  'page-ranges',
  'print-color-mode',
  'print-content-optimize',
  'print-quality',
  'print-rendering-intent',
  'print-scaling',
  'printer-resolution',
  'sides',
];
