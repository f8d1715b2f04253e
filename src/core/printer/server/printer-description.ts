// The printer's attributes (Get-Printer-Attributes): everything ipp-everywhere.test and the Windows
// IPP Class Driver look for, built per request because URIs follow the client's Host and state changes.
import { attr, attrOf, v, type IppAttribute } from '../ipp/attributes.ts';
import { PRINTER_STATE } from '../ipp/tags.ts';
import type { PrinterQueue } from '../ipp-printer-server.ts';
import {
  COMPRESSIONS,
  DEFAULT_DOCUMENT_FORMAT,
  DOCUMENT_FORMATS,
  FINISHINGS,
  IDENTIFY_ACTIONS,
  JOB_CREATION_ATTRIBUTES,
  MAX_COPIES,
  MULTIPLE_OPERATION_TIME_OUT_SECONDS,
  NUMBER_UP,
  ORIENTATIONS,
  OUTPUT_BINS,
  PREFERRED_DOCUMENT_FORMAT,
  PRINT_COLOR_MODES,
  PRINT_CONTENT_OPTIMIZE,
  PRINT_QUALITIES,
  PRINT_RENDERING_INTENTS,
  PRINT_SCALING,
  PRINTER_RESOLUTIONS,
  PWG_RASTER_RESOLUTIONS,
  PWG_RASTER_TYPES,
  SIDES,
  SUPPORTED_OPERATION_CODES,
  WHICH_JOBS,
} from './capabilities.ts';
import {
  DEFAULT_MEDIA,
  MARGINS_SUPPORTED,
  MEDIA_SIZES,
  MEDIA_SOURCE,
  MEDIA_TYPE,
  READY_MEDIA,
  mediaColDatabase,
  mediaSizeSupported,
  readyMediaCol,
} from './media.ts';
import type { PrinterRuntime } from './printer-runtime.ts';
import { MOPRIA_CERTIFIED, PRINTER_DEVICE_ID, PRINTER_LOCATION, PRINTER_MAKE_AND_MODEL, printerUuid, truncateUtf8 } from './printer-identity.ts';
import type { PrinterUris } from './printer-paths.ts';
import type { AttributeGroupName, AttributeSelector } from './requested-attributes.ts';

const JOB_TEMPLATE_BASES = new Set([
  ...JOB_CREATION_ATTRIBUTES,
  'media-source',
  'media-type',
  'media-size',
  'media-bottom-margin',
  'media-left-margin',
  'media-right-margin',
  'media-top-margin',
  'pwg-raster-document-resolution',
  'pwg-raster-document-type',
]);

function groupOf(name: string): AttributeGroupName {
  if (name === 'media-col-database') return 'media-col-database';
  const base = /^(.+)-(default|supported|ready)$/.exec(name)?.[1];
  return base && JOB_TEMPLATE_BASES.has(base) ? 'job-template' : 'printer-description';
}

export function printerAttributes(queue: PrinterQueue, uris: PrinterUris, runtime: PrinterRuntime, select: AttributeSelector): IppAttribute[] {
  return describePrinter(queue, uris, runtime).filter((attribute) => select(attribute.name, groupOf(attribute.name)));
}

function describePrinter(queue: PrinterQueue, uris: PrinterUris, runtime: PrinterRuntime): IppAttribute[] {
  const { clock, jobs, maxJobBytes } = runtime;
  const now = clock.now();
  const maxKOctets = Math.ceil(maxJobBytes / 1024);
  const stateChangedAt = jobs.printerStateChangedAt(queue) ?? clock.startedAt;
  const name = truncateUtf8(queue.name, 127);
  // The agent cannot take work now (a full disk): stopped, with the reason, until it can.
  const unavailable = runtime.unavailable();
  return [
    // identity
    attr('printer-uri-supported', v.uri(uris.printer(queue))),
    attr('uri-authentication-supported', v.keyword('none')),
    attr('uri-security-supported', v.keyword('none')),
    attr('printer-name', v.name(name)),
    attr('printer-info', v.text(name)),
    attr('printer-location', v.text(PRINTER_LOCATION)),
    attr('printer-geo-location', v.outOfBand('unknown')),
    attr('printer-organization', v.text('')),
    attr('printer-organizational-unit', v.text('')),
    attr('printer-make-and-model', v.text(queue.productName ? truncateUtf8(`${queue.productName} Virtual Printer`, 127) : PRINTER_MAKE_AND_MODEL)),
    attr('printer-device-id', v.text(PRINTER_DEVICE_ID)),
    attr('printer-uuid', v.uri(printerUuid(queue.profileId))),
    attr('printer-more-info', v.uri(uris.moreInfo(queue))),
    attr('printer-supply-info-uri', v.uri(uris.moreInfo(queue))),
    attr('printer-icons', v.uri(uris.icon(queue))),
    attr('mopria-certified', v.text(MOPRIA_CERTIFIED)),
    attr('ipp-versions-supported', v.keyword('1.1'), v.keyword('2.0')),
    attr('ipp-features-supported', v.keyword('ipp-everywhere')),
    attrOf('operations-supported', v.enum, SUPPORTED_OPERATION_CODES),
    attr('charset-configured', v.charset('utf-8')),
    attr('charset-supported', v.charset('utf-8')),
    attr('natural-language-configured', v.naturalLanguage('en')),
    attr('generated-natural-language-supported', v.naturalLanguage('en')),
    attr('pdl-override-supported', v.keyword('attempted')),
    attrOf('identify-actions-supported', v.keyword, IDENTIFY_ACTIONS),
    attr('identify-actions-default', v.keyword(IDENTIFY_ACTIONS[0]!)),
    attr('printer-get-attributes-supported', v.keyword('document-format')),
    // state
    attr('printer-state', v.enum(unavailable ? PRINTER_STATE.stopped : jobs.isProcessing(queue) ? PRINTER_STATE.processing : PRINTER_STATE.idle)),
    attr('printer-state-reasons', v.keyword(unavailable ? 'spool-area-full' : 'none')),
    attr('printer-state-message', v.text(unavailable ? truncateUtf8(unavailable, 1023) : jobs.isProcessing(queue) ? 'Receiving a document.' : 'Ready.')),
    attr('printer-state-change-time', v.integer(clock.upTime(stateChangedAt))),
    attr('printer-state-change-date-time', v.dateTime(stateChangedAt)),
    attr('printer-config-change-time', v.integer(clock.upTime(clock.startedAt))),
    attr('printer-config-change-date-time', v.dateTime(clock.startedAt)),
    attr('printer-is-accepting-jobs', v.boolean(!unavailable)),
    attr('queued-job-count', v.integer(jobs.queuedJobCount(queue))),
    attr('printer-up-time', v.integer(clock.upTime(now))),
    attr('printer-current-time', v.dateTime(now)),
    attr('printer-supply', v.octetString('index=1;class=other;type=other;unit=percent;maxcapacity=100;level=100;colorantname=unknown;')),
    attr('printer-supply-description', v.text('Virtual printer: no consumables')),
    // documents
    attrOf('document-format-supported', v.mimeMediaType, DOCUMENT_FORMATS),
    attr('document-format-default', v.mimeMediaType(DEFAULT_DOCUMENT_FORMAT)),
    attr('document-format-preferred', v.mimeMediaType(PREFERRED_DOCUMENT_FORMAT)),
    attrOf('compression-supported', v.keyword, COMPRESSIONS),
    attrOf('pdf-versions-supported', v.keyword, ['adobe-1.3', 'adobe-1.4', 'adobe-1.5', 'adobe-1.6', 'adobe-1.7', 'iso-32000-1_2008', 'iso-32000-2_2017']),
    attr('pdf-k-octets-supported', v.range(0, maxKOctets)),
    attr('jpeg-k-octets-supported', v.range(0, maxKOctets)),
    attr('jpeg-x-dimension-supported', v.range(0, 65_535)),
    attr('jpeg-y-dimension-supported', v.range(1, 65_535)),
    attr('job-k-octets-supported', v.range(0, maxKOctets)),
    attrOf('pwg-raster-document-resolution-supported', (r: (typeof PWG_RASTER_RESOLUTIONS)[number]) => v.resolution(r.x, r.y, r.units), PWG_RASTER_RESOLUTIONS),
    attrOf('pwg-raster-document-type-supported', v.keyword, PWG_RASTER_TYPES),
    attr('pwg-raster-document-sheet-back', v.keyword('normal')),
    attr('color-supported', v.boolean(true)),
    attr('pages-per-minute', v.integer(60)),
    attr('pages-per-minute-color', v.integer(60)),
    // jobs
    attr('multiple-document-jobs-supported', v.boolean(false)),
    attr('multiple-operation-time-out', v.integer(MULTIPLE_OPERATION_TIME_OUT_SECONDS)),
    attr('multiple-operation-time-out-action', v.keyword('abort-job')),
    attr('job-ids-supported', v.boolean(true)),
    attr('preferred-attributes-supported', v.boolean(false)),
    attrOf('which-jobs-supported', v.keyword, WHICH_JOBS),
    attrOf('job-creation-attributes-supported', v.keyword, JOB_CREATION_ATTRIBUTES),
    attr('overrides-supported', v.keyword('document-number'), v.keyword('pages')),
    // job template
    attr('copies-default', v.integer(1)),
    attr('copies-supported', v.range(1, MAX_COPIES)),
    attr('finishings-default', v.enum(FINISHINGS[0]!)),
    attrOf('finishings-supported', v.enum, FINISHINGS),
    attr('number-up-default', v.integer(NUMBER_UP[0]!)),
    attrOf('number-up-supported', v.integer, NUMBER_UP),
    attr('orientation-requested-default', v.enum(3)),
    attrOf('orientation-requested-supported', v.enum, ORIENTATIONS),
    attr('output-bin-default', v.keyword(OUTPUT_BINS[0]!)),
    attrOf('output-bin-supported', v.keyword, OUTPUT_BINS),
    attr('page-ranges-supported', v.boolean(true)),
    attr('print-color-mode-default', v.keyword('auto')),
    attrOf('print-color-mode-supported', v.keyword, PRINT_COLOR_MODES),
    attr('print-content-optimize-default', v.keyword('auto')),
    attrOf('print-content-optimize-supported', v.keyword, PRINT_CONTENT_OPTIMIZE),
    attr('print-quality-default', v.enum(4)),
    attrOf('print-quality-supported', v.enum, PRINT_QUALITIES),
    attr('print-rendering-intent-default', v.keyword('auto')),
    attrOf('print-rendering-intent-supported', v.keyword, PRINT_RENDERING_INTENTS),
    attr('print-scaling-default', v.keyword('auto')),
    attrOf('print-scaling-supported', v.keyword, PRINT_SCALING),
    attr('printer-resolution-default', v.resolution(PRINTER_RESOLUTIONS[0]!.x)),
    attrOf('printer-resolution-supported', (r: (typeof PRINTER_RESOLUTIONS)[number]) => v.resolution(r.x, r.y, r.units), PRINTER_RESOLUTIONS),
    attr('sides-default', v.keyword(SIDES[0]!)),
    attrOf('sides-supported', v.keyword, SIDES),
    // media
    attr('media-default', v.keyword(DEFAULT_MEDIA)),
    attrOf(
      'media-supported',
      v.keyword,
      MEDIA_SIZES.map((size) => size.name),
    ),
    attrOf('media-ready', v.keyword, READY_MEDIA),
    attr('media-col-default', readyMediaCol(DEFAULT_MEDIA)),
    attr('media-col-ready', ...READY_MEDIA.map(readyMediaCol)),
    attr('media-col-database', ...mediaColDatabase()),
    attrOf('media-col-supported', v.keyword, [
      'media-bottom-margin',
      'media-left-margin',
      'media-right-margin',
      'media-size',
      'media-source',
      'media-top-margin',
      'media-type',
    ]),
    attr('media-size-supported', ...mediaSizeSupported()),
    attrOf('media-bottom-margin-supported', v.integer, MARGINS_SUPPORTED),
    attrOf('media-left-margin-supported', v.integer, MARGINS_SUPPORTED),
    attrOf('media-right-margin-supported', v.integer, MARGINS_SUPPORTED),
    attrOf('media-top-margin-supported', v.integer, MARGINS_SUPPORTED),
    attr('media-source-supported', v.keyword(MEDIA_SOURCE)),
    attr('media-type-supported', v.keyword(MEDIA_TYPE)),
  ];
}
