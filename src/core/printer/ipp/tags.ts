// Numeric codes of the IPP wire format (RFC 8010 §3.5, RFC 8011 §5.4.15 and §B, PWG 5100.x).
// Kept as plain objects keyed by the registered keyword, so logs and tests read like the specs.

/** Delimiter tags: the start of an attribute group, or the end of all attributes. */
export const GROUP_TAG = {
  operation: 0x01,
  job: 0x02,
  printer: 0x04,
  unsupported: 0x05,
  subscription: 0x06,
  eventNotification: 0x07,
  resource: 0x08,
  document: 0x09,
  system: 0x0a,
} as const;

export const END_OF_ATTRIBUTES_TAG = 0x03;

/** Value tags, named as in RFC 8010 (text/name are the "WithoutLanguage" forms). */
export const VALUE_TAG = {
  // out-of-band
  unsupported: 0x10,
  default: 0x11,
  unknown: 0x12,
  'no-value': 0x13,
  'not-settable': 0x15,
  'delete-attribute': 0x16,
  'admin-define': 0x17,
  // integers
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  // octet strings
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  // character strings
  text: 0x41,
  name: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
  /** The next four octets hold the real tag (RFC 8010 §3.5.2). */
  extension: 0x7f,
} as const;

export const OPERATION = {
  'Print-Job': 0x0002,
  'Print-URI': 0x0003,
  'Validate-Job': 0x0004,
  'Create-Job': 0x0005,
  'Send-Document': 0x0006,
  'Send-URI': 0x0007,
  'Cancel-Job': 0x0008,
  'Get-Job-Attributes': 0x0009,
  'Get-Jobs': 0x000a,
  'Get-Printer-Attributes': 0x000b,
  'Hold-Job': 0x000c,
  'Release-Job': 0x000d,
  'Restart-Job': 0x000e,
  'Pause-Printer': 0x0010,
  'Resume-Printer': 0x0011,
  'Purge-Jobs': 0x0012,
  'Cancel-My-Jobs': 0x0039,
  'Close-Job': 0x003b,
  'Identify-Printer': 0x003c,
} as const;

export type IppOperationName = keyof typeof OPERATION;

export const STATUS = {
  'successful-ok': 0x0000,
  'successful-ok-ignored-or-substituted-attributes': 0x0001,
  'successful-ok-conflicting-attributes': 0x0002,
  'client-error-bad-request': 0x0400,
  'client-error-forbidden': 0x0401,
  'client-error-not-authenticated': 0x0402,
  'client-error-not-authorized': 0x0403,
  'client-error-not-possible': 0x0404,
  'client-error-timeout': 0x0405,
  'client-error-not-found': 0x0406,
  'client-error-gone': 0x0407,
  'client-error-request-entity-too-large': 0x0408,
  'client-error-request-value-too-long': 0x0409,
  'client-error-document-format-not-supported': 0x040a,
  'client-error-attributes-or-values-not-supported': 0x040b,
  'client-error-uri-scheme-not-supported': 0x040c,
  'client-error-charset-not-supported': 0x040d,
  'client-error-conflicting-attributes': 0x040e,
  'client-error-compression-not-supported': 0x040f,
  'client-error-compression-error': 0x0410,
  'client-error-document-format-error': 0x0411,
  'client-error-document-access-error': 0x0412,
  'server-error-internal-error': 0x0500,
  'server-error-operation-not-supported': 0x0501,
  'server-error-service-unavailable': 0x0502,
  'server-error-version-not-supported': 0x0503,
  'server-error-device-error': 0x0504,
  'server-error-temporary-error': 0x0505,
  'server-error-not-accepting-jobs': 0x0506,
  'server-error-busy': 0x0507,
  'server-error-job-canceled': 0x0508,
  'server-error-multiple-document-jobs-not-supported': 0x0509,
  'server-error-printer-is-deactivated': 0x050a,
  'server-error-too-many-jobs': 0x050b,
  'server-error-too-many-documents': 0x050c,
} as const;

export type IppStatusName = keyof typeof STATUS;

/** enum values of job-state (RFC 8011 §5.3.7). */
export const JOB_STATE = {
  pending: 3,
  'pending-held': 4,
  processing: 5,
  'processing-stopped': 6,
  canceled: 7,
  aborted: 8,
  completed: 9,
} as const;

export type JobStateName = keyof typeof JOB_STATE;

/** enum values of printer-state (RFC 8011 §5.4.11). */
export const PRINTER_STATE = { idle: 3, processing: 4, stopped: 5 } as const;

const operationNames = new Map<number, string>(Object.entries(OPERATION).map(([name, code]) => [code, name]));
const statusNames = new Map<number, string>(Object.entries(STATUS).map(([name, code]) => [code, name]));

/** "Print-Job", or "operation 0x1234" for codes this printer does not know. */
export function operationName(code: number): string {
  return operationNames.get(code) ?? `operation 0x${code.toString(16).padStart(4, '0')}`;
}

/** "successful-ok", or "status 0x1234" for codes this printer does not know. */
export function statusName(code: number): string {
  return statusNames.get(code) ?? `status 0x${code.toString(16).padStart(4, '0')}`;
}
