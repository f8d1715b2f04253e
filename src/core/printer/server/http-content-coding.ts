// HTTP Content-Encoding of a whole request body (distinct from the IPP "compression" of document data).
// "deflate" is meant to be zlib-wrapped, but CUPS writes raw DEFLATE: the first two bytes tell them apart.
import { pipeline, Readable, type Transform } from 'node:stream';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';

/** The decoded body, or null for a coding this printer does not know. */
export function decodeContentCoding(body: Readable, contentEncoding: string | undefined): AsyncIterable<Buffer> | null {
  const coding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') return body;
  if (coding === 'gzip' || coding === 'x-gzip') return through(body, createGunzip());
  if (coding === 'deflate') return inflateEitherForm(body);
  return null;
}

/** pipeline, not pipe: an error on the request (a client that hangs up) must reach the reader. */
function through(source: Readable, decoder: Transform): Transform {
  return pipeline(source, decoder, () => {});
}

async function* inflateEitherForm(body: Readable): AsyncGenerator<Buffer> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  if (first.done) return;
  const head = first.value;
  const zlibWrapped = head.length >= 2 && (head[0]! & 0x0f) === 8 && ((head[0]! << 8) | head[1]!) % 31 === 0;
  async function* replay(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value;
    }
  }
  yield* through(Readable.from(replay()), zlibWrapped ? createInflate() : createInflateRaw());
}
