// Streams a job's document data from the request to a spool file: decompressed on the way (gzip, or raw
// DEFLATE as CUPS sends it), counted against the size limit, never held in memory as a whole.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflateRaw } from 'node:zlib';
import { IppRequestError } from '../ipp/errors.ts';
import type { Compression } from './capabilities.ts';

export interface ReceiveDocumentOptions {
  data: AsyncIterable<Buffer>;
  compression: Compression;
  file: string;
  /** After decompression. */
  maxBytes: number;
}

class DocumentTooLargeError extends Error {}

/** Writes the data to `file` and returns its size; on any failure the file is removed and an IppRequestError thrown. */
export async function receiveDocument(options: ReceiveDocumentOptions): Promise<number> {
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      size += chunk.length;
      if (size > options.maxBytes) callback(new DocumentTooLargeError());
      else callback(null, chunk);
    },
  });
  const output = createWriteStream(options.file, { flags: 'wx', mode: 0o600 });
  try {
    if (options.compression === 'none') await pipeline(options.data, limit, output);
    else await pipeline(options.data, decompressor(options.compression), limit, output);
    return size;
  } catch (error) {
    await rm(options.file, { force: true });
    throw asIppError(error, options);
  }
}

function decompressor(compression: Exclude<Compression, 'none'>): Transform {
  return compression === 'gzip' ? createGunzip() : createInflateRaw();
}

function asIppError(error: unknown, options: ReceiveDocumentOptions): IppRequestError {
  if (error instanceof IppRequestError) return error;
  if (error instanceof DocumentTooLargeError) {
    return new IppRequestError(
      'client-error-request-entity-too-large',
      `The document is larger than the ${formatBytes(options.maxBytes)} this printer accepts.`,
    );
  }
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('Z_')) {
    const coding = options.compression === 'none' ? 'compressed' : options.compression;
    return new IppRequestError('client-error-compression-error', `The document's ${coding} data is corrupt: ${(error as Error).message}.`);
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new IppRequestError('server-error-busy', 'The disk holding the print spool is full; try again when there is space.');
  }
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as Error).message === 'aborted') {
    return new IppRequestError('client-error-bad-request', 'The client disconnected before it sent the whole document.');
  }
  return new IppRequestError('server-error-internal-error', `The document could not be saved: ${(error as Error).message}.`);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
