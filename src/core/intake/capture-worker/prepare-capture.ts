// The per-file capture work, run in a capture worker: read the bytes (or only hash them, over the
// size limit), inspect them, and keep every part: a small one comes back inline for the main thread
// to store in the capture's own commit (one WAL fsync for a whole group of captures); a larger one
// is spooled to a file and fsynced before the answer, so the main thread can record it at once.
import type { FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { openStableFile, SourceChangedError } from '../stable-file.ts';
import { openRegularFile } from '../../util/regular-file.ts';
import { INLINE_CAPTURE_MAX_BYTES, sha256Hex, type Spool } from '../../store/spool.ts';
import { inspectCapture, type CapturedPart, type InspectLimits } from '../inspect-capture.ts';
import { inspectInvoice } from '../inspect-invoice.ts';
import type { CaptureRequest, PreparedCapture, PreparedPart } from './messages.ts';

export interface PrepareContext {
  spool: Spool;
  limits: InspectLimits;
  /** Parts up to this size come back inline (0: every part is spooled to a file). */
  inlinePartMaxBytes: number;
}

export async function prepareCapture(request: CaptureRequest, context: PrepareContext): Promise<PreparedCapture> {
  const { limits } = context;
  let bytes: Buffer;
  if (request.type === 'file') {
    const handle = await openStableFile(request.path, request);
    try {
      // Files over the size limit are hashed as a stream, never held whole.
      if (request.size > limits.maxFileBytes) return tooLarge(request.name, request.size, limits.maxFileBytes, await hashHandle(handle));
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
    // A writer still appending to the very file we opened: what we hold is not what was checked.
    if (bytes.byteLength !== request.size) throw new SourceChangedError(request.path, 'changed while it was read');
  } else {
    // Structured clone delivers a Uint8Array; inspection expects a Buffer (same memory, no copy).
    bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
    if (bytes.byteLength > limits.maxFileBytes) return tooLarge(request.name, bytes.byteLength, limits.maxFileBytes, sha256Hex(bytes));
  }
  const parts = await inspect(request.name, bytes, limits);
  const prepared: PreparedPart[] = [];
  // A ZIP of many small invoices: only so much of it travels back inline; the rest is spooled.
  let inlineLeft = INLINE_CAPTURE_MAX_BYTES;
  for (const part of parts) {
    const inline = part.bytes.byteLength > 0 && part.bytes.byteLength <= Math.min(context.inlinePartMaxBytes, inlineLeft);
    if (inline) inlineLeft -= part.bytes.byteLength;
    prepared.push(inline ? inlinePart(part) : await spoolPart(part, context.spool));
  }
  return { sha256: sha256Hex(bytes), size: bytes.byteLength, parts: prepared };
}

/**
 * THE inspection step: what the bytes are, which documents they make, which of them cannot be
 * sent and why. Everything that reads a document's content (classification, ZIP expansion, invoice
 * reading and preflight) belongs here, so it runs in the worker, off the main thread.
 */
async function inspect(name: string, bytes: Buffer, limits: InspectLimits): Promise<CapturedPart[]> {
  const parts = await inspectCapture(name, bytes, limits);
  for (const part of parts) await inspectInvoice(part, limits.preflight ?? 'block');
  return parts;
}

function inlinePart(part: CapturedPart): PreparedPart {
  const { bytes, ...described } = part;
  return { ...described, sha256: sha256Hex(bytes), size: bytes.byteLength, spooled: true, inline: bytes };
}

async function spoolPart(part: CapturedPart, spool: Spool): Promise<PreparedPart> {
  const { bytes, ...described } = part;
  // Durable: the record that points at these bytes commits only after this fsync.
  const sha256 = bytes.byteLength > 0 ? await spool.put(bytes) : sha256Hex(bytes);
  return { ...described, sha256, size: bytes.byteLength, spooled: bytes.byteLength > 0 };
}

function tooLarge(name: string, size: number, limit: number, sha256: string): PreparedCapture {
  const megabytes = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const part: PreparedPart = {
    name,
    kind: 'unknown',
    contentType: null,
    invalid: { code: 'too_large', reason: `the file is ${megabytes(size)}, over the ${megabytes(limit)} limit` },
    metadata: { size, sha256 },
    sha256,
    size,
    spooled: false,
  };
  return { sha256, size, parts: [part] };
}

async function hashHandle(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (let position = 0; ;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.byteLength, position);
    if (bytesRead === 0) return hash.digest('hex');
    hash.update(chunk.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/** The hash of a regular file's content, without following a link or opening a FIFO (see openRegularFile). */
export async function hashRegularFile(path: string): Promise<string> {
  const { handle } = await openRegularFile(path);
  try {
    return await hashHandle(handle);
  } finally {
    await handle.close();
  }
}
