// Turns captured bytes into the documents to record: classified by content, ZIPs expanded, bad
// inputs kept as `invalid` documents with the reason (nothing is silently dropped). A name the hub
// cannot take (control characters, over 255 UTF-8 bytes, blank) is refused here, on every channel.
import { classifyBytes, type Classification } from '../inspect/classify.ts';
import { fileNameProblem } from '../util/file-names.ts';
import { expandZip, ZipRefusedError, type ZipLimits } from './zip-expander.ts';
import type { DocumentKind } from '../../contract/states.ts';
import type { PreflightMode } from '../../contract/invoice.ts';

export interface CapturedPart {
  name: string;
  bytes: Buffer;
  kind: DocumentKind;
  contentType: string | null;
  /** Set when the part cannot be sent: why, in words a user can act on. */
  invalid: { code: string; reason: string } | null;
  metadata: Record<string, unknown>;
}

export interface InspectLimits {
  maxFileBytes: number;
  zip: ZipLimits;
  /** `intake.preflight`: whether preflight's errors block sending (default) or only warn. */
  preflight?: PreflightMode;
}

function fromClassification(name: string, bytes: Buffer, classification: Classification, metadata: Record<string, unknown>): CapturedPart {
  const badName = fileNameProblem(name);
  if (badName) {
    const kind = classification.ok ? classification.kind : 'unknown';
    const contentType = classification.ok ? classification.contentType : null;
    return { name, bytes, kind, contentType, invalid: badName, metadata };
  }
  if (!classification.ok) {
    return { name, bytes, kind: 'unknown', contentType: null, invalid: { code: classification.code, reason: classification.reason }, metadata };
  }
  const details = Object.fromEntries(Object.entries(classification.details).filter(([, value]) => value !== undefined));
  if (classification.kind === 'sdi_notification') {
    return {
      name,
      bytes,
      kind: classification.kind,
      contentType: classification.contentType,
      invalid: { code: 'sdi_notification', reason: 'this is an SDI notification (a receipt from SDI), not an invoice to send' },
      metadata: { ...metadata, ...details },
    };
  }
  return { name, bytes, kind: classification.kind, contentType: classification.contentType, invalid: null, metadata: { ...metadata, ...details } };
}

export async function inspectCapture(name: string, bytes: Buffer, limits: InspectLimits): Promise<CapturedPart[]> {
  const classification = classifyBytes(bytes, name, { maxBytes: limits.maxFileBytes });
  // A badly named archive is refused whole, unopened.
  if (!classification.ok || classification.kind !== 'zip' || fileNameProblem(name)) return [fromClassification(name, bytes, classification, {})];

  try {
    const { files, skipped } = await expandZip(bytes, limits.zip);
    if (files.length === 0) {
      const why = skipped.length ? `; skipped: ${skipped.map((s) => `${s.path} (${s.reason})`).join(', ')}` : '';
      return [
        {
          name,
          bytes,
          kind: 'zip',
          contentType: 'application/zip',
          invalid: { code: 'zip_empty', reason: `the ZIP archive holds no documents${why}` },
          metadata: {},
        },
      ];
    }
    return files.map((entry) => {
      const inner = classifyBytes(entry.bytes, entry.name, { maxBytes: limits.maxFileBytes });
      if (inner.ok && inner.kind === 'zip') {
        return {
          name: entry.name,
          bytes: entry.bytes,
          kind: 'zip' as const,
          contentType: 'application/zip',
          invalid: { code: 'zip_too_deep', reason: 'a ZIP nested deeper than allowed' },
          metadata: { archive: name, entryPath: entry.path },
        };
      }
      return fromClassification(entry.name, entry.bytes, inner, { archive: name, entryPath: entry.path });
    });
  } catch (error) {
    if (!(error instanceof ZipRefusedError)) throw error;
    return [{ name, bytes, kind: 'zip', contentType: 'application/zip', invalid: { code: error.code, reason: error.message }, metadata: {} }];
  }
}
