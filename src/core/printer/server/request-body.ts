// The body of an IPP-over-HTTP request: the IPP message, then (for Print-Job and Send-Document) the
// document data. The message is read up to the size limit; the data stays in the stream for whoever wants it.
import type { IppMessage } from '../ipp/attributes.ts';
import { decodeIppMessage } from '../ipp/decoder.ts';
import { IppTruncatedError } from '../ipp/errors.ts';
import type { IppDecodeLimits } from '../ipp/limits.ts';

export interface RequestBody {
  message: IppMessage;
  /** The document data after the message; read it at most once. */
  data: AsyncIterable<Buffer>;
  /** Reads and discards whatever is left; false if more than `maxBytes` were left (the caller then closes the connection). */
  drain(maxBytes: number): Promise<boolean>;
}

/**
 * Reads the IPP message from the start of the body.
 * Throws IppRequestError (with the status to answer) for a malformed, truncated or oversized message;
 * the caller may then still drain `chunks`.
 */
export async function readRequestBody(chunks: AsyncIterator<Buffer>, limits: IppDecodeLimits): Promise<RequestBody> {
  let received: Buffer = Buffer.alloc(0);
  // Decoding restarts from the first octet, so it is retried only once the data has grown enough:
  // a client dribbling tiny chunks cannot make the work quadratic.
  let retryAt = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done) {
      // Decoding what there is gives the precise reason (truncated, malformed) for a body that ended early.
      const { message, dataOffset } = decodeIppMessage(received, limits);
      return bodyOf(message, received.subarray(dataOffset), chunks);
    }
    received = received.length === 0 ? next.value : Buffer.concat([received, next.value]);
    if (received.length < retryAt) continue;
    try {
      const { message, dataOffset } = decodeIppMessage(received, limits);
      return bodyOf(message, received.subarray(dataOffset), chunks);
    } catch (error) {
      if (!(error instanceof IppTruncatedError)) throw error;
      retryAt = Math.min(limits.maxHeaderBytes, Math.max(error.needed, Math.floor(received.length * 1.5)));
    }
  }
}

/** Reads and discards the rest of a body; false as soon as more than `maxBytes` were discarded. */
export async function drainChunks(chunks: AsyncIterator<Buffer>, maxBytes: number): Promise<boolean> {
  let discarded = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return true;
    discarded += next.value.length;
    if (discarded > maxBytes) return false;
  }
}

function bodyOf(message: IppMessage, leftover: Buffer, chunks: AsyncIterator<Buffer>): RequestBody {
  let consumed = false;
  async function* remaining(): AsyncGenerator<Buffer> {
    if (consumed) return;
    consumed = true;
    if (leftover.length > 0) yield leftover;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return {
    message,
    data: { [Symbol.asyncIterator]: remaining },
    async drain(maxBytes: number): Promise<boolean> {
      const unread = consumed ? 0 : leftover.length;
      consumed = true;
      return unread <= maxBytes && drainChunks(chunks, maxBytes - unread);
    },
  };
}
