// The local API: loopback only, token required, foreign Host refused, no CORS; and its operations
// work end to end against the real agent and sandbox hub.
import { afterEach, describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import type { Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { apiRequest as request, startApiHarness, TEST_TOKEN as TOKEN } from '../helpers/local-api-request.ts';

let running: { harness: Harness; close: () => Promise<void> } | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

async function start(): Promise<{ h: Harness; port: number }> {
  const started = (running = await startApiHarness());
  return { h: started.harness, port: started.api.port };
}

describe('local API security', () => {
  it('needs the token everywhere but the bare health probe', async () => {
    const { port } = await start();
    const health = await request(port, '/api/v1/health', { token: null });
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    expect((await request(port, '/api/v1/status', { token: null })).status).toBe(401);
    expect((await request(port, '/api/v1/status', { token: 'wrong' })).status).toBe(401);
    expect((await request(port, '/api/v1/documents', { token: `${TOKEN}x` })).status).toBe(401);
    const ok = await request(port, '/api/v1/status');
    expect(ok.status).toBe(200);
    expect(ok.json()).toHaveProperty('counts');
    const denied = await request(port, '/api/v1/status', { token: null });
    expect(denied.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const { port } = await start();
    expect((await request(port, '/api/v1/status', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await request(port, '/api/v1/status', { host: `127.0.0.1:${port + 1}` })).status).toBe(403);
    expect((await request(port, '/api/v1/health', { host: 'attacker.test', token: null })).status).toBe(403);
    expect((await request(port, '/api/v1/status', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('listens on loopback only and sends no CORS headers', async () => {
    const { port } = await start();
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      await expect(request(port, '/api/v1/health', { address: external.address, token: null })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    const answer = await request(port, '/api/v1/status', { headers: { Origin: 'https://evil.example' } });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('uploads, lists, shows, long-polls events, pauses and resumes through the API', async () => {
    const { h, port } = await start();
    const paused = await request(port, '/api/v1/pause', { method: 'POST' });
    expect(paused.json()).toEqual({ paused: true });

    const upload = await request(port, '/api/v1/documents', {
      method: 'POST',
      body: makePdf('via API'),
      headers: { 'Content-Type': 'application/pdf', 'X-Filename': encodeURIComponent('Fattura n°5 è.pdf') },
    });
    expect(upload.status).toBe(201);
    const { id } = upload.json() as { id: string };
    await h.waitForState(id, 'held');
    expect((await request(port, `/api/v1/documents/${id}`)).json()['reason']).toMatch(/paused/);

    const before = (await request(port, '/api/v1/events?since=0&limit=1000')).json() as { lastSeq: number };
    const poll = request(port, `/api/v1/events?since=${before.lastSeq}&timeout=10`);
    await request(port, '/api/v1/resume', { method: 'POST' });
    const events = (await poll).json() as { events: { seq: number }[] };
    expect(events.events.length).toBeGreaterThan(0);
    expect(events.events[0]!.seq).toBeGreaterThan(before.lastSeq);

    await h.waitForState(id, 'delivered');
    const detail = (await request(port, `/api/v1/documents/${id}`)).json() as { name: string; events: unknown[]; files: { name: string }[] };
    expect(detail.name).toBe('Fattura n°5 è.pdf');
    expect(detail.files.length).toBeGreaterThan(0);
    const list = (await request(port, '/api/v1/documents?state=delivered')).json() as { documents: { id: string }[] };
    expect(list.documents.map((d) => d.id)).toContain(id);
    const content = await request(port, `/api/v1/documents/${id}/content`);
    expect(content.body.startsWith('%PDF-')).toBe(true);
    expect((await request(port, '/api/v1/documents?state=bogus')).status).toBe(400);
    expect((await request(port, '/api/v1/documents/nope')).status).toBe(404);
    expect((await request(port, `/api/v1/documents/${id}/cancel`, { method: 'POST' })).status).toBe(409);
    expect((await request(port, '/api/v1/audit/verify')).json()['ok']).toBe(true);
  });
});
