// The local API's front door against the spellings a probe used to skip the token: every route the
// router holds (enumerated from it, not listed by hand) is asked for with encoded letters, absolute
// form, "//", dot segments and so on, with and without the token; cross-site callers and form body
// types are refused on every token route; and none of it changes anything in the agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/harness.ts';
import type { LocalApi, RegisteredRoute } from '../../src/core/api/local-api-server.ts';
import { makePdf, makeZip } from '../helpers/fixtures.ts';
import { apiRequest, startApiHarness } from '../helpers/local-api-request.ts';
import { nonCanonicalTarget } from '../../src/core/api/request-guard.ts';
import { ROUTES } from '../../src/contract/routes.ts';

let harness: Harness;
let api: LocalApi;
let close: () => Promise<void>;
let port: number;
let documentId: string;
let fileName: string;

beforeAll(async () => {
  ({ harness, api, close } = await startApiHarness());
  port = api.port;
  const upload = await apiRequest(port, '/api/v1/documents', {
    method: 'POST',
    body: makePdf('guard'),
    headers: { 'Content-Type': 'application/pdf', 'X-Filename': 'guard.pdf' },
  });
  expect(upload.status).toBe(201);
  documentId = (upload.json() as { id: string }).id;
  await harness.waitForState(documentId, 'delivered');
  const detail = (await apiRequest(port, `/api/v1/documents/${documentId}`)).json() as { files: { name: string }[] };
  fileName = detail.files[0]!.name;
}, 60_000);
afterAll(async () => {
  await close();
});

/** A real path for a route pattern: ids and names of the document made above. */
function concrete(route: RegisteredRoute): string {
  return route.url.replace(':id', documentId).replace(':name', encodeURIComponent(fileName)).replace('*', 'index.html');
}

/** Other spellings of one path that a lax router would match to the same route. */
function variants(path: string): string[] {
  const segments = path.slice(1).split('/');
  const encodeFirstLetter = (index: number): string =>
    '/' +
    segments
      .map((segment, i) => (i === index && /^[A-Za-z0-9]/.test(segment) ? `%${segment.charCodeAt(0).toString(16)}${segment.slice(1)}` : segment))
      .join('/');
  return [
    ...segments.map((_, index) => encodeFirstLetter(index)).filter((variant) => variant !== path),
    `/${segments[0]?.[0] ?? ''}%${(segments[0]?.charCodeAt(1) ?? 0x70).toString(16).toUpperCase()}${segments[0]?.slice(2) ?? ''}/${segments.slice(1).join('/')}`,
    `http://127.0.0.1:${port}${path}`,
    `http://localhost:${port}${path}`,
    `/${path}`,
    path.replace('/v1/', '//v1/'),
    path.replace('/v1/', '/./v1/'),
    path.replace('/v1/', '/x/../v1/'),
    path.replace('/v1/', '%2Fv1/'),
    path.replace('/v1/', '/v1%2f'),
    path.replace('/v1/', '\\v1/'),
    path.replace('/v1/', '/v%31/'),
    path.replace('/v1/', '/v1/%2e/'),
  ].filter((variant) => variant !== path);
}

const BODIES: Record<RegisteredRoute['body'], { body: string; type: string }> = {
  none: { body: '', type: '' },
  json: { body: '{"hubApiKey":"stolen-by-a-probe-xxxxxxxx"}', type: 'application/json' },
  file: { body: '%PDF-1.4 probe', type: 'application/pdf' },
};

async function agentFacts(): Promise<unknown> {
  const status = (await apiRequest(port, '/api/v1/status')).json();
  const documents = (await apiRequest(port, '/api/v1/documents?limit=500')).json() as { documents: { id: string; state: string }[] };
  const config = (await apiRequest(port, '/api/v1/config')).json();
  return { paused: status['paused'], documents: documents.documents.map((d) => `${d.id}:${d.state}`).sort(), config };
}

describe('local API guard', () => {
  it('holds every route of the router, so the enumeration below covers the real API', () => {
    const keys = api.routes.map((route) => `${route.method} ${route.url}`);
    for (const expected of [
      'GET /api/v1/status',
      'POST /api/v1/documents',
      'PUT /api/v1/config',
      'PUT /api/v1/credentials',
      'POST /api/v1/pause',
      'GET /api/v1/documents/:id/content',
      'GET /api/v1/export.csv',
    ]) {
      expect(keys).toContain(expected);
    }
    // Exactly the contract's table (src/contract/routes.ts), plus the UI's files.
    const served = new Set(
      api.routes.filter((route) => route.method !== 'HEAD' && route.url !== '/*').map((route) => `${route.method} ${route.url} ${route.access} ${route.body}`),
    );
    expect(served).toEqual(new Set(Object.values(ROUTES).map((route) => `${route.method} ${route.path} ${route.access} ${route.body}`)));
    // Public: the health probe, the UI's files and its branding (docs/white-label.md); nothing else.
    expect(
      api.routes
        .filter((route) => route.access === 'public')
        .map((route) => route.url)
        .sort(),
    ).toEqual(['/*', '/*', '/api/v1/branding', '/api/v1/branding', '/api/v1/branding/logo', '/api/v1/branding/logo', '/api/v1/health', '/api/v1/health']);
  });

  it('answers no token route without the token, whatever the spelling of its path', async () => {
    const before = await agentFacts();
    const leaks: string[] = [];
    const probed = api.routes.filter((route) => route.access === 'token');
    expect(probed.length).toBeGreaterThan(12);
    for (const route of probed) {
      const path = concrete(route);
      const { body, type } = BODIES[route.body];
      const headers: Record<string, string> = type ? { 'Content-Type': type } : {};
      const plain = await apiRequest(port, path, { method: route.method, token: null, headers, body });
      if (plain.status !== 401) leaks.push(`${route.method} ${path} → ${plain.status}`);
      for (const target of variants(path)) {
        for (const token of [null, 'wrong-token']) {
          const answer = await apiRequest(port, target, { method: route.method, token, headers, body });
          // 400: the target is not canonical; 401: no token. Anything else reached a handler.
          if (answer.status !== 400 && answer.status !== 401)
            leaks.push(`${route.method} ${target} (token ${token ?? 'none'}) → ${answer.status} ${answer.body.slice(0, 80)}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(await agentFacts()).toEqual(before);
  });

  it('refuses non-canonical spellings even with the token, before any handler runs', async () => {
    const before = await agentFacts();
    for (const route of api.routes.filter((r) => r.method === 'GET' || r.method === 'POST' || r.method === 'PUT')) {
      const { body, type } = BODIES[route.body];
      for (const target of variants(concrete(route))) {
        const headers: Record<string, string> = type ? { 'Content-Type': type } : {};
        const answer = await apiRequest(port, target, { method: route.method, headers, body });
        expect.soft(answer.status, `${route.method} ${target}`).toBe(400);
        expect.soft(answer.json()['error'], `${route.method} ${target}`).toMatchObject({ code: 'bad_request_target' });
      }
    }
    expect(await agentFacts()).toEqual(before);
  });

  it('still serves canonical paths: percent-encoded names, the UI, and the public health probe', async () => {
    expect((await apiRequest(port, `/api/v1/documents/${documentId}/files/${encodeURIComponent(fileName)}`)).status).toBe(200);
    expect((await apiRequest(port, '/api/v1/health', { token: null })).status).toBe(200);
    expect((await apiRequest(port, '/api/v1/documents?q=%61%2F%2e')).status).toBe(200); // the query is not the path
    // Unknown API paths need the token before they are even told "no such route".
    expect((await apiRequest(port, '/api/v1/nothing-here', { token: null })).status).toBe(401);
    expect((await apiRequest(port, '/api/v1/nothing-here')).status).toBe(404);
    expect((await apiRequest(port, '/api/v1/Status')).status).toBe(404);
  });

  it('refuses cross-site callers on token routes, even with the token', async () => {
    const refusedOrigins = [
      'http://evil.example',
      `http://127.0.0.1:${port + 1}`,
      `http://localhost:${port}.evil.example`,
      'null',
      `https://127.0.0.1:${port}`,
    ];
    for (const origin of refusedOrigins) {
      const answer = await apiRequest(port, '/api/v1/pause', { method: 'POST', headers: { Origin: origin } });
      expect(answer.status, origin).toBe(403);
      expect(answer.json()['error']).toMatchObject({ code: 'forbidden_origin' });
      expect((await apiRequest(port, '/api/v1/status', { headers: { Origin: origin } })).status, origin).toBe(403);
    }
    for (const site of ['cross-site', 'same-site']) {
      expect((await apiRequest(port, '/api/v1/pause', { method: 'POST', headers: { 'Sec-Fetch-Site': site } })).status, site).toBe(403);
    }
    expect((await apiRequest(port, '/api/v1/status')).json()['paused']).toBe(false);
    // Our own UI (same origin) and non-browser clients (no Origin) pass.
    const accepted: Record<string, string>[] = [
      { Origin: `http://127.0.0.1:${port}`, 'Sec-Fetch-Site': 'same-origin' },
      { Origin: `http://localhost:${port}` },
      { 'Sec-Fetch-Site': 'none' },
      {},
    ];
    for (const headers of accepted) {
      expect((await apiRequest(port, '/api/v1/status', { headers })).status, JSON.stringify(headers)).toBe(200);
    }
  });

  it('takes only the body type each route declares: no form or text body reaches a handler', async () => {
    const before = await agentFacts();
    const formTypes = ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'TEXT/PLAIN'];
    const refused = async (path: string, method: string, type: string | null, body: string): Promise<void> => {
      const answer = await apiRequest(port, path, { method, headers: type === null ? {} : { 'Content-Type': type }, body });
      expect(answer.status, `${method} ${path} ${type}`).toBe(415);
      expect(answer.json()['error']).toMatchObject({ code: 'unsupported_media_type' });
    };
    for (const type of [...formTypes, null, 'application/json']) await refused('/api/v1/documents', 'POST', type, '%PDF-1.4 form');
    for (const type of [...formTypes, null, 'application/octet-stream']) {
      await refused('/api/v1/config', 'PUT', type, '{}');
      await refused('/api/v1/credentials', 'PUT', type, '{"hubApiKey":"xxxxxxxxxxxx"}');
    }
    for (const path of ['/api/v1/pause', `/api/v1/documents/${documentId}/cancel`, '/api/v1/hub/test']) {
      for (const type of formTypes) await refused(path, 'POST', type, 'x=1');
    }
    expect(await agentFacts()).toEqual(before);

    // The bodies the routes do expect still pass.
    expect((await apiRequest(port, '/api/v1/pause', { method: 'POST' })).status).toBe(200);
    expect((await apiRequest(port, '/api/v1/resume', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(200);
    for (const type of ['application/octet-stream', 'application/xml', 'application/zip']) {
      const body = type === 'application/zip' ? await makeZip([{ name: `in-zip-${type.length}.pdf`, data: makePdf(`zip ${type}`) }]) : makePdf(`typed ${type}`);
      const answer = await apiRequest(port, '/api/v1/documents', {
        method: 'POST',
        headers: { 'Content-Type': type, 'X-Filename': `typed-${type.replace('/', '-')}.pdf` },
        body,
      });
      expect(answer.status, type).toBe(201);
    }
  });

  it('answers 400 to a deeply nested JSON body, like any other bad body (settings: config-api.test.ts)', async () => {
    for (const body of ['['.repeat(200_000) + ']'.repeat(200_000), '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), '['.repeat(65) + ']'.repeat(65)]) {
      for (const path of ['/api/v1/credentials']) {
        const answer = await apiRequest(port, path, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body });
        expect(answer.status, `${path} ${body.length}`).toBe(400);
        expect(answer.json()['error']).toMatchObject({ code: 'bad_json' });
      }
    }
    // Brackets inside strings are not nesting.
    const answer = await apiRequest(port, '/api/v1/credentials', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sftpPassword: '['.repeat(1000) + '\\"{' }),
    });
    expect(answer.status).toBe(204);
  });
});

describe('canonical request targets', () => {
  it.each([
    ['/api/v1/status', null],
    ['/api/v1/documents/0190/files/IT01234567890_00001_RC_001.xml', null],
    ['/api/v1/documents/x/files/Fattura%20n%C2%B05%20%C3%A8.pdf', null],
    ['/api/v1/documents/x/files/50%25.pdf', null],
    ['/api/v1/documents?q=%61', null],
    ['/', null],
    ['/assets/index-abc.js', null],
    ['/%61pi/v1/status', /"%61" encodes "a"/],
    ['/api/v1/%2e%2e/status', /encodes "."/],
    ['/api/v1/documents/x/files/%2Fetc%2Fpasswd', /encodes "\/"/],
    ['/api/v1/documents/x/files/a%5cb', /encodes "\\"/],
    ['/api/v1/documents/x/files/a%00b', /control characters/],
    ['/api/v1/documents/x/files/a%0ab', /control characters/],
    ['/api/v1/documents/x/files/a%zzb', /malformed/],
    ['/api/v1/documents/x/files/a%', /malformed/],
    ['/api/v1/documents/x/files/a%C3', /not percent-encoded UTF-8/],
    ['http://127.0.0.1:7420/api/v1/status', /origin-form/],
    ['*', /origin-form/],
    ['//api/v1/status', /empty path segments/],
    ['/api/v1/../v1/status', /dot segments/],
    ['/api/v1/./status', /dot segments/],
    ['/api\\v1/status', /backslashes/],
  ])('%s', (target, expected) => {
    const problem = nonCanonicalTarget(target);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });
});
