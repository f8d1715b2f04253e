// The "does the printer answer?" question asked before any queue is installed, against real
// HTTP servers that answer well, badly or not at all.
import { describe, it, expect, afterEach } from 'vitest';
import http from 'node:http';
import { decodePrinterAttributesResponse, encodeGetPrinterAttributes, ippToHttpUrl, probeIppPrinter } from '../../src/core/printer/os-queue/ipp-probe.ts';
import { freePort } from '../helpers/cups.ts';

function attribute(tag: number, name: string, value: string): Buffer {
  const n = Buffer.from(name);
  const v = Buffer.from(value);
  return Buffer.concat([Buffer.from([tag, n.length >> 8, n.length & 255]), n, Buffer.from([v.length >> 8, v.length & 255]), v]);
}

function ippResponse(status: number, requestId: Buffer, printerAttributes: Buffer[] = []): Buffer {
  return Buffer.concat([
    Buffer.from([2, 0, status >> 8, status & 255]),
    requestId,
    Buffer.from([0x01]),
    attribute(0x47, 'attributes-charset', 'utf-8'),
    attribute(0x48, 'attributes-natural-language', 'en'),
    Buffer.from([0x04]),
    ...printerAttributes,
    Buffer.from([0x03]),
  ]);
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function serve(handler: (body: Buffer, request: http.IncomingMessage, response: http.ServerResponse) => void): Promise<number> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(Buffer.concat(chunks), request, response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('probeIppPrinter', () => {
  it('sends a Get-Printer-Attributes request and reads make, model and formats', async () => {
    let seen: { method?: string; path?: string; type?: string; operation?: number; uri?: boolean } = {};
    const port = await serve((body, request, response) => {
      seen = {
        method: request.method,
        path: request.url,
        type: request.headers['content-type'],
        operation: body.readUInt16BE(2),
        uri: body.includes(Buffer.from(`ipp://127.0.0.1:${port}/ipp/print/demo`)),
      };
      response.writeHead(200, { 'Content-Type': 'application/ipp' });
      response.end(
        ippResponse(0x0000, body.subarray(4, 8), [
          attribute(0x41, 'printer-make-and-model', 'Recapito Virtual Printer'),
          attribute(0x49, 'document-format-supported', 'application/pdf'),
          attribute(0x49, '', 'image/jpeg'),
        ]),
      );
    });
    const result = await probeIppPrinter(`ipp://127.0.0.1:${port}/ipp/print/demo`);
    expect(result).toEqual({ ok: true, makeAndModel: 'Recapito Virtual Printer', documentFormats: ['application/pdf', 'image/jpeg'] });
    expect(seen).toEqual({ method: 'POST', path: '/ipp/print/demo', type: 'application/ipp', operation: 0x000b, uri: true });
  });

  it('nothing listening: refused, with the reason in words', async () => {
    const result = await probeIppPrinter(`ipp://127.0.0.1:${await freePort()}/ipp/print`);
    expect(result).toEqual({ ok: false, reason: 'connection refused (nothing listens on that port)' });
  });

  it('a web server that is not a printer, or a printer that says no', async () => {
    const notFound = await serve((_body, _request, response) => {
      response.writeHead(404, { 'Content-Type': 'text/html' });
      response.end('<h1>nope</h1>');
    });
    expect(await probeIppPrinter(`ipp://127.0.0.1:${notFound}/ipp/print`)).toMatchObject({ ok: false, reason: expect.stringMatching(/HTTP 404/) });

    const html = await serve((_body, _request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<h1>hello</h1>');
    });
    expect(await probeIppPrinter(`ipp://127.0.0.1:${html}/ipp/print`)).toMatchObject({ ok: false, reason: expect.stringMatching(/not application\/ipp/) });

    const refusing = await serve((body, _request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/ipp' });
      response.end(ippResponse(0x0406, body.subarray(4, 8))); // client-error-not-found
    });
    expect(await probeIppPrinter(`ipp://127.0.0.1:${refusing}/ipp/print/other`)).toMatchObject({ ok: false, reason: expect.stringMatching(/0x0406/) });

    const truncated = await serve((_body, _request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/ipp' });
      response.end(Buffer.from([2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x47, 0, 99]));
    });
    expect(await probeIppPrinter(`ipp://127.0.0.1:${truncated}/ipp/print`)).toMatchObject({ ok: false, reason: expect.stringMatching(/unreadable/) });
  });

  it('a server that never answers: gives up after the timeout', async () => {
    const port = await serve(() => undefined);
    const started = Date.now();
    const result = await probeIppPrinter(`ipp://127.0.0.1:${port}/ipp/print`, 300);
    expect(result).toEqual({ ok: false, reason: 'no answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('the IPP encoding', () => {
  it('request: version, operation, request id, the operation attributes in order, end tag', () => {
    const request = encodeGetPrinterAttributes('ipp://127.0.0.1:8631/ipp/print', 7);
    expect([...request.subarray(0, 9)]).toEqual([1, 1, 0, 0x0b, 0, 0, 0, 7, 0x01]);
    expect(request.at(-1)).toBe(0x03);
    const text = request.toString('latin1');
    expect(text.indexOf('attributes-charset')).toBeLessThan(text.indexOf('attributes-natural-language'));
    expect(text.indexOf('attributes-natural-language')).toBeLessThan(text.indexOf('printer-uri'));
  });

  it('response decoding refuses a missing end tag', () => {
    const body = ippResponse(0, Buffer.from([0, 0, 0, 1])).subarray(0, -1);
    expect(() => decodePrinterAttributesResponse(body)).toThrow(/end-of-attributes/);
  });

  it('ipp:// becomes http:// with IPP port 631 by default', () => {
    expect(ippToHttpUrl('ipp://127.0.0.1:8631/ipp/print/demo')).toBe('http://127.0.0.1:8631/ipp/print/demo');
    expect(ippToHttpUrl('ipp://localhost/ipp/print')).toBe('http://localhost:631/ipp/print');
    expect(ippToHttpUrl('ipp://[::1]:8631/ipp/print')).toBe('http://[::1]:8631/ipp/print');
    expect(() => ippToHttpUrl('ipps://x/ipp/print')).toThrow(/ipp:\/\//);
  });
});
