// Names and identifiers of the printer, stable for a queue across restarts: the OS print system and
// Windows remember a printer by its UUID.
import { createHash } from 'node:crypto';

export const PRINTER_MAKE_AND_MODEL = 'Recapito Virtual Printer';
export const PRINTER_LOCATION = 'This computer';
/** IEEE 1284 device id: what Windows and CUPS use to pick a driver (the inbox IPP one here). */
export const PRINTER_DEVICE_ID = 'MFG:Recapito;MDL:Virtual Printer;CMD:PDF,JPEG,PWGRaster;CLS:PRINTER;DES:Recapito virtual printer;';
export const MOPRIA_CERTIFIED = '1.3';

/** A name-based (version 5 style) UUID: the same input always gives the same UUID. */
function nameBasedUuid(name: string): string {
  const bytes = createHash('sha1').update(`recapito:ipp:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function printerUuid(profileId: string): string {
  return nameBasedUuid(`printer:${profileId}`);
}

export function jobUuid(profileId: string, jobId: number): string {
  return nameBasedUuid(`job:${profileId}:${jobId}`);
}

/**
 * Cuts a string to at most `maxOctets` UTF-8 octets without splitting a character:
 * RFC 8011 limits name(127) and text(127) values in octets.
 */
export function truncateUtf8(value: string, maxOctets: number): string {
  if (Buffer.byteLength(value, 'utf8') <= maxOctets) return value;
  let result = '';
  let octets = 0;
  for (const character of value) {
    const size = Buffer.byteLength(character, 'utf8');
    if (octets + size > maxOctets) break;
    result += character;
    octets += size;
  }
  return result;
}
