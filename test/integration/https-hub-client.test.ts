// The HTTPS hub client against real TLS servers (and a real CONNECT proxy) started here, with
// certificates made here: what the hub receives, and how every kind of failure is classified.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueServerCertificate } from '../../src/core/tls/certificates.ts';
import type { PemKeyPair } from '../../src/core/tls/certificates.ts';
import { createHttpsHubClient, trustedCertificateAuthorities } from '../../src/core/hub/https-hub-client.ts';
import type { HttpsHubClientOptions } from '../../src/core/hub/https-hub-client.ts';
import { HubRequestError } from '../../src/core/hub/hub-client.ts';
import type { HubClient, UploadRequest } from '../../src/core/hub/hub-client.ts';
import { classifyHubError } from '../../src/core/hub/classify-hub-error.ts';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  remotePort: number;
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, body: Buffer) => void;

interface TestHub {
  url: string;
  port: number;
  received: ReceivedRequest[];
  handler: Handler;
  openSockets: Set<net.Socket>;
  close(): Promise<void>;
}

interface TestProxy {
  url: string;
  connects: string[];
  refuse: boolean;
  close(): Promise<void>;
}

const sample = Buffer.from('%PDF-1.7\n% invoice bytes \u00e8\u00e9 \x00\x01\x02\n%%EOF\n', 'latin1');

let caA: PemKeyPair;
let caB: PemKeyPair;
let hub: TestHub;
let hubSignedByOtherCa: TestHub;
let hubWithWrongName: TestHub;
const clients: HubClient[] = [];

function json(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function hubError(response: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  json(response, status, { error: { code, message } }, headers);
}

async function startHub(server: PemKeyPair): Promise<TestHub> {
  const openSockets = new Set<net.Socket>();
  const state: TestHub = {
    url: '',
    port: 0,
    received: [],
    openSockets,
    handler: (_request, response) => json(response, 500, { error: { code: 'no_handler', message: 'no handler' } }),
    close: async () => {
      httpsServer.closeAllConnections();
      httpsServer.close();
      await once(httpsServer, 'close');
    },
  };
  const httpsServer = https.createServer({ key: server.privateKeyPem, cert: server.certificatePem }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      state.received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
        remotePort: request.socket.remotePort ?? 0,
      });
      state.handler(request, response, body);
    });
  });
  httpsServer.on('secureConnection', (socket: net.Socket) => {
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });
  // A client refusing our certificate makes the server see a TLS error: expected in these tests.
  httpsServer.on('tlsClientError', () => undefined);
  httpsServer.listen(0, '127.0.0.1');
  await once(httpsServer, 'listening');
  state.port = (httpsServer.address() as AddressInfo).port;
  state.url = `https://127.0.0.1:${state.port}`;
  return state;
}

async function startConnectProxy(): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  const state: TestProxy = {
    url: '',
    connects: [],
    refuse: false,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  const server = http.createServer((_request, response) => {
    response.writeHead(405).end();
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('error', () => undefined);
    state.connects.push(request.url ?? '');
    if (state.refuse) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const target = new URL(`tcp://${request.url ?? ''}`);
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function client(overrides: Partial<HttpsHubClientOptions> = {}): HubClient {
  const created = createHttpsHubClient({
    baseUrl: hub.url,
    apiKey: () => 'test-key-1',
    extraCaPem: caA.certificatePem,
    requestTimeoutMs: 5_000,
    userAgent: 'Recapito/0.1.0',
    env: {},
    ...overrides,
  });
  clients.push(created);
  return created;
}

function uploadRequest(overrides: Partial<UploadRequest> = {}): UploadRequest {
  return {
    idempotencyKey: 'doc_01J9Z8K3',
    bytes: sample,
    fileName: 'Fattura n°1 è.pdf',
    contentType: 'application/pdf',
    source: 'folder',
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<HubRequestError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HubRequestError);
  return error as HubRequestError;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

beforeAll(async () => {
  caA = await createCertificateAuthority('Test Hub CA');
  caB = await createCertificateAuthority('Some Other CA');
  hub = await startHub(await issueServerCertificate(caA));
  hubSignedByOtherCa = await startHub(await issueServerCertificate(caB));
  hubWithWrongName = await startHub(await issueServerCertificate(caA, ['other.example'], []));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((created) => created.close()));
  hub.received.length = 0;
});

afterAll(async () => {
  await Promise.all([hub, hubSignedByOtherCa, hubWithWrongName].map((server) => server?.close()));
});

describe('upload', () => {
  it('sends the bytes with every protocol header and reads 201 as a new document', async () => {
    hub.handler = (_request, response) => json(response, 201, { id: 'hub_123', status: 'received', receivedAt: '2025-01-02T03:04:05Z' });
    const result = await client().upload(uploadRequest({ company: 'cmp_7' }));

    expect(result).toEqual({ hubId: 'hub_123', receivedAt: '2025-01-02T03:04:05Z', replay: false });
    const [received] = hub.received;
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/v1/documents');
    expect(received?.body.equals(sample)).toBe(true);
    const headers = received?.headers ?? {};
    const expectedDigest = `sha-256=:${createHash('sha256')
      .update(received?.body ?? Buffer.alloc(0))
      .digest('base64')}:`;
    expect(headers['content-digest']).toBe(expectedDigest);
    expect(headers['content-type']).toBe('application/pdf');
    expect(headers['idempotency-key']).toBe('doc_01J9Z8K3');
    expect(headers['x-filename']).not.toMatch(/[^\x21-\x7e]/);
    expect(decodeURIComponent(String(headers['x-filename']))).toBe('Fattura n°1 è.pdf');
    expect(headers['x-company']).toBe('cmp_7');
    expect(headers['x-source']).toBe('folder');
    expect(headers.authorization).toBe('Bearer test-key-1');
    expect(headers['user-agent']).toBe('Recapito/0.1.0');
    expect(Number(headers['content-length'])).toBe(sample.length);
  });

  it('reads 200 as a replay of a known Idempotency-Key, and sends no X-Company when none is given', async () => {
    hub.handler = (_request, response) => json(response, 200, { id: 'hub_123', status: 'received', receivedAt: '2025-01-02T03:04:05Z' });
    const result = await client().upload(uploadRequest());
    expect(result).toEqual({ hubId: 'hub_123', receivedAt: '2025-01-02T03:04:05Z', replay: true });
    expect(hub.received[0]?.headers['x-company']).toBeUndefined();
  });

  it.each([
    [400, 'malformed', 'permanent'],
    [413, 'too_large', 'permanent'],
    [415, 'unsupported_type', 'permanent'],
    [422, 'document_refused', 'permanent'],
    [409, 'idempotency_conflict', 'conflict'],
    [401, 'key_revoked', 'auth'],
    [403, 'forbidden', 'auth'],
    [402, 'credits_exhausted', 'credits'],
    [500, 'internal', 'transient'],
    [502, 'bad_gateway', 'transient'],
    [503, 'unavailable', 'transient'],
    [404, 'not_found', 'transient'],
  ] as const)('classifies %i %s as %s, with the hub reason in the message', async (status, code, kind) => {
    hub.handler = (_request, response) => hubError(response, status, code, `the hub says ${code}`);
    const error = await failure(client().upload(uploadRequest()));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toContain(`(${status} ${code}): the hub says ${code}`);
  });

  it('gives a human reason for a refused document', async () => {
    hub.handler = (_request, response) => hubError(response, 422, 'document_refused', 'the PDF contains no invoice');
    const error = await failure(client().upload(uploadRequest()));
    expect(error.message).toBe('hub refused the document (422 document_refused): the PDF contains no invoice');
  });

  it('honours Retry-After in seconds on 429', async () => {
    hub.handler = (_request, response) => hubError(response, 429, 'rate_limited', 'slow down', { 'Retry-After': '7' });
    const error = await failure(client().upload(uploadRequest()));
    expect(error.kind).toBe('transient');
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('honours Retry-After as an HTTP-date on 503', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    hub.handler = (_request, response) => hubError(response, 503, 'maintenance', 'back soon', { 'Retry-After': at });
    const error = await failure(client().upload(uploadRequest()));
    expect(error.kind).toBe('transient');
    expect(error.retryAfterMs).toBeGreaterThan(110_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('treats a non-JSON error page (e.g. from a gateway) as transient with the HTTP status', async () => {
    hub.handler = (_request, response) => {
      response.writeHead(502, { 'Content-Type': 'text/html' });
      response.end('<html><body>Bad gateway</body></html>');
    };
    const error = await failure(client().upload(uploadRequest()));
    expect(error.kind).toBe('transient');
    expect(error.code).toBe('http_502');
    expect(error.message).toContain('502');
  });

  it('treats a success that is not JSON, or not the promised shape, as a transient protocol error', async () => {
    hub.handler = (_request, response) => {
      response.writeHead(201, { 'Content-Type': 'text/plain' });
      response.end('created!');
    };
    const notJson = await failure(client().upload(uploadRequest()));
    expect(notJson.kind).toBe('transient');
    expect(notJson.code).toBe('protocol_error');

    hub.handler = (_request, response) => json(response, 201, { status: 'received' });
    const wrongShape = await failure(client().upload(uploadRequest()));
    expect(wrongShape.kind).toBe('transient');
    expect(wrongShape.code).toBe('protocol_error');
    expect(wrongShape.message).toContain('id');

    hub.handler = (_request, response) => json(response, 202, { id: 'x', status: 'received', receivedAt: 'now' });
    const wrongStatus = await failure(client().upload(uploadRequest()));
    expect(wrongStatus.code).toBe('protocol_error');
  });

  it('refuses to send a document whose id cannot travel in a header', async () => {
    const error = await failure(client().upload(uploadRequest({ idempotencyKey: 'bad\r\nkey' })));
    expect(error.kind).toBe('permanent');
    expect(hub.received).toHaveLength(0);
  });
});

describe('network and TLS failures', () => {
  it('classifies a connection the hub resets as transient', async () => {
    hub.handler = (request) => request.socket.destroy();
    const error = await failure(client().upload(uploadRequest()));
    expect(error.kind).toBe('transient');
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toMatch(/^hub unreachable: connection/);
  });

  it('gives up on a hub that never answers after the request timeout', async () => {
    hub.handler = () => undefined;
    const started = Date.now();
    const error = await failure(client({ requestTimeoutMs: 300 }).account());
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.kind).toBe('transient');
    expect(error.code).toBe('timeout');
    expect(error.message).toBe('hub did not answer within 0.3 s');
  });

  it('classifies a refused connection as transient with a readable reason', async () => {
    const port = await freePort();
    const error = await failure(client({ baseUrl: `https://127.0.0.1:${port}` }).account());
    expect(error.kind).toBe('transient');
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toBe('hub unreachable: connection refused');
  });

  it('refuses a hub whose certificate comes from another CA, saying why', async () => {
    const error = await failure(client({ baseUrl: hubSignedByOtherCa.url }).account());
    expect(error.kind).toBe('tls');
    expect(error.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(error.message).toMatch(/^the hub's certificate is not trusted: it is signed by a certificate authority/);
    expect(hubSignedByOtherCa.received).toHaveLength(0);
  });

  it('does not trust the test CA unless it is configured (system roots only)', async () => {
    const error = await failure(client({ extraCaPem: null }).account());
    expect(error.kind).toBe('tls');
    expect(hub.received).toHaveLength(0);
  });

  it('refuses a certificate issued for another host name', async () => {
    const error = await failure(client({ baseUrl: hubWithWrongName.url }).account());
    expect(error.kind).toBe('tls');
    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toContain('issued for another host name');
  });

  it('adds the extra CA to the default roots instead of replacing them', () => {
    const trusted = trustedCertificateAuthorities(caA.certificatePem);
    expect(trusted).toContain(caA.certificatePem);
    for (const root of tls.rootCertificates) expect(trusted).toContain(root);
    expect(() => trustedCertificateAuthorities('not a certificate')).toThrow(/not a valid PEM certificate/);
  });

  it('rejects an aborted call with the abort reason, not a hub error', async () => {
    hub.handler = () => undefined;
    const controller = new AbortController();
    const reason = new Error('agent stopping');
    const pending = client().account(controller.signal);
    setTimeout(() => controller.abort(reason), 100);
    await expect(pending).rejects.toBe(reason);

    const already = new AbortController();
    already.abort(reason);
    await expect(client().account(already.signal)).rejects.toBe(reason);
  });

  it('classifies raw errors by code for callers that catch them elsewhere', () => {
    const tlsError = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(classifyHubError(tlsError).kind).toBe('tls');
    // A CA certificate served as the server's (a self-signed one made as a CA): still a certificate problem.
    const purpose = classifyHubError(Object.assign(new Error('unsuitable certificate purpose'), { code: 'INVALID_PURPOSE' }));
    expect([purpose.kind, purpose.message]).toEqual([
      'tls',
      expect.stringMatching(/^the hub's certificate is not trusted: it is not a certificate for a server/),
    ]);
    expect(classifyHubError(Object.assign(new Error('getaddrinfo ENOTFOUND hub.example'), { code: 'ENOTFOUND' })).message).toBe(
      'hub unreachable: host name not found',
    );
    expect(classifyHubError(new Error('socket hang up')).kind).toBe('transient');
    const existing = new HubRequestError({ kind: 'credits', code: 'credits_exhausted', message: 'x' });
    expect(classifyHubError(existing)).toBe(existing);
  });
});

describe('event feed, documents, files, account', () => {
  const event = {
    seq: 6,
    documentId: 'hub_1',
    idempotencyKey: 'doc_1',
    status: 'delivered',
    at: '2025-01-02T03:04:05Z',
    sdi: { id: '123456', fileName: 'IT01234567890_00001.xml' },
    files: ['IT01234567890_00001_RC_001.xml'],
  };

  it('long-polls the feed with since, limit and timeout', async () => {
    hub.handler = (_request, response) => json(response, 200, { events: [event], lastSeq: 6 });
    const page = await client().events({ since: 5, limit: 50, timeoutSeconds: 0 });
    expect(page).toEqual({ events: [event], lastSeq: 6 });
    expect(hub.received[0]?.url).toBe('/v1/events?since=5&limit=50&timeout=0');
  });

  it('reports an expired cursor with the lastSeq to restart from', async () => {
    hub.handler = (_request, response) =>
      json(response, 410, {
        error: { code: 'cursor_expired', message: 'since is older than what the hub keeps', details: { lastSeq: 42 } },
      });
    const error = await failure(client().events({ since: 1, limit: 100, timeoutSeconds: 0 }));
    expect(error.kind).toBe('cursor_expired');
    expect(error.lastSeq).toBe(42);
  });

  it('refuses a feed page carrying a malformed event', async () => {
    hub.handler = (_request, response) => json(response, 200, { events: [{ ...event, seq: 'six' }], lastSeq: 6 });
    const error = await failure(client().events({ since: 5, limit: 50, timeoutSeconds: 0 }));
    expect(error.code).toBe('protocol_error');
    expect(error.message).toContain('events.0.seq');
  });

  it('looks documents up in chunks of 100 ids', async () => {
    hub.handler = (request, response) => {
      const ids = new URL(request.url ?? '', 'https://hub').searchParams.get('ids')?.split(',') ?? [];
      json(response, 200, {
        documents: ids.map((id) => ({ id, idempotencyKey: `key-${id}`, status: 'sent', history: [], files: [] })),
      });
    };
    const ids = Array.from({ length: 150 }, (_, index) => `hub_${index}`);
    const documents = await client().documents(ids);
    expect(documents.map((document) => document.id)).toEqual(ids);
    expect(hub.received).toHaveLength(2);
    expect(hub.received[0]?.url).toBe(`/v1/documents?ids=${ids.slice(0, 100).join(',')}`);
    expect(hub.received[1]?.url).toBe(`/v1/documents?ids=${ids.slice(100).join(',')}`);
    expect(await client().documents([])).toEqual([]);
    expect(hub.received).toHaveLength(2);
  });

  it('downloads a file with its name percent-encoded in the path', async () => {
    const bytes = Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff, 0xfe, 0x00, 0x7f]);
    hub.handler = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/pkcs7-mime' });
      response.end(bytes);
    };
    const file = await client().downloadFile('hub/1', 'Fattura n°1.xml.p7m');
    expect(file.equals(bytes)).toBe(true);
    expect(hub.received[0]?.url).toBe('/v1/documents/hub%2F1/files/Fattura%20n%C2%B01.xml.p7m');
  });

  it('reads the account', async () => {
    const account = {
      account: { id: 'acc_1', name: 'Studio Rossi' },
      key: { id: 'key_1', expiresAt: null },
      credits: { remaining: 120 },
      companies: [{ id: 'cmp_1', vatNumber: 'IT01234567890', name: 'Rossi Srl' }],
    };
    hub.handler = (_request, response) => json(response, 200, account);
    expect(await client().account()).toEqual(account);
  });

  it('keeps the path prefix of the hub URL', async () => {
    hub.handler = (_request, response) => json(response, 200, { events: [], lastSeq: 0 });
    await client({ baseUrl: `${hub.url}/api` }).events({ since: 0, limit: 1, timeoutSeconds: 0 });
    expect(hub.received[0]?.url).toBe('/api/v1/events?since=0&limit=1&timeout=0');
  });
});

describe('API key', () => {
  it('reads the key at each call, so a key changed at runtime is used on the next call', async () => {
    hub.handler = (_request, response) => json(response, 200, { events: [], lastSeq: 0 });
    let key = 'first-key';
    const hubClient = client({ apiKey: () => key });
    await hubClient.events({ since: 0, limit: 1, timeoutSeconds: 0 });
    key = 'second-key';
    await hubClient.events({ since: 0, limit: 1, timeoutSeconds: 0 });
    expect(hub.received.map((request) => request.headers.authorization)).toEqual(['Bearer first-key', 'Bearer second-key']);
  });

  it('refuses to call without a key, without touching the network', async () => {
    const error = await failure(client({ apiKey: () => null }).account());
    expect(error.kind).toBe('auth');
    expect(error.code).toBe('no_api_key');
    expect(hub.received).toHaveLength(0);
  });

  it('never puts the key in an error message, even when the hub echoes it', async () => {
    hub.handler = (_request, response) => hubError(response, 401, 'key_revoked', 'key secret-key-123 was revoked');
    const error = await failure(client({ apiKey: () => 'secret-key-123' }).account());
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain('secret-key-123');
    expect(error.message).toContain('[redacted]');
  });
});

describe('hub URL and connections', () => {
  it('refuses a plain http hub URL', () => {
    expect(() => client({ baseUrl: 'http://127.0.0.1:8080' })).toThrow(/must start with https:\/\//);
  });

  it('keeps the connection alive between calls and closes it on close()', async () => {
    hub.handler = (_request, response) => json(response, 200, { events: [], lastSeq: 0 });
    const hubClient = client();
    await hubClient.events({ since: 0, limit: 1, timeoutSeconds: 0 });
    await hubClient.events({ since: 0, limit: 1, timeoutSeconds: 0 });
    expect(hub.received[0]?.remotePort).toBe(hub.received[1]?.remotePort);
    expect(hub.openSockets.size).toBe(1);
    await hubClient.close();
    await expect.poll(() => hub.openSockets.size).toBe(0);
  });
});

describe('proxy from the environment', () => {
  let proxy: TestProxy;

  beforeAll(async () => {
    proxy = await startConnectProxy();
  });
  afterEach(() => {
    proxy.connects.length = 0;
    proxy.refuse = false;
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('tunnels through HTTPS_PROXY with CONNECT, still verifying the hub with the extra CA', async () => {
    hub.handler = (_request, response) => json(response, 201, { id: 'hub_9', status: 'received', receivedAt: '2025-01-02T03:04:05Z' });
    const result = await client({ env: { HTTPS_PROXY: proxy.url } }).upload(uploadRequest());
    expect(result.hubId).toBe('hub_9');
    expect(proxy.connects).toEqual([`127.0.0.1:${hub.port}`]);
    expect(hub.received[0]?.headers.authorization).toBe('Bearer test-key-1');
  });

  it('still refuses an untrusted certificate behind the proxy', async () => {
    const error = await failure(client({ baseUrl: hubSignedByOtherCa.url, env: { https_proxy: proxy.url } }).account());
    expect(error.kind).toBe('tls');
    expect(proxy.connects).toEqual([`127.0.0.1:${hubSignedByOtherCa.port}`]);
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    hub.handler = (_request, response) => json(response, 200, { events: [], lastSeq: 0 });
    await client({ env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } }).events({ since: 0, limit: 1, timeoutSeconds: 0 });
    expect(proxy.connects).toEqual([]);
    expect(hub.received).toHaveLength(1);
  });

  it('says when the proxy wants credentials', async () => {
    proxy.refuse = true;
    const error = await failure(client({ env: { HTTPS_PROXY: proxy.url } }).account());
    expect(error.kind).toBe('transient');
    expect(error.status).toBe(407);
    expect(error.message).toContain('requires authentication');
    expect(hub.received).toHaveLength(0);
  });

  it('names the proxy when it is unreachable', async () => {
    const port = await freePort();
    const error = await failure(client({ env: { HTTPS_PROXY: `http://127.0.0.1:${port}` } }).account());
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(`hub unreachable via proxy 127.0.0.1:${port}: connection refused`);
  });
});
