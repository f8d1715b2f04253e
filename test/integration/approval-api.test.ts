// Manual approval through the local API against a real agent (real SQLite) and the real sandbox hub
// over HTTPS (docs/approval.md): approve → delivered, refuse → declined with the reason, bulk with an
// answer per id, dual control (self-approval refused 403, another approver succeeds), wrong PINs
// locked out with 429 and Retry-After, and an audit log that verifies and names who decided.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { apiRequest, startApiHarness, type Answer } from '../helpers/local-api-request.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { agentOsUser } from '../../src/core/agent/approval.ts';
import type { Settings } from '../../src/core/config/settings-schema.ts';
import type { DocumentEvent } from '../../src/contract/local-api.ts';

let running: { harness: Harness; close: () => Promise<void> } | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

function manual(dualControl: boolean) {
  return (settings: Settings): Settings => ({
    ...settings,
    profiles: settings.profiles.map((p) => ({ ...p, sending: 'manual' as const, dualControl })),
  });
}

async function start(dualControl: boolean): Promise<{ h: Harness; port: number }> {
  const started = (running = await startApiHarness({ settings: manual(dualControl) }));
  return { h: started.harness, port: started.api.port };
}

function post(port: number, path: string, body: unknown = {}): Promise<Answer> {
  return apiRequest(port, path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
}

async function upload(port: number, text: string, submittedBy?: string): Promise<string> {
  const answer = await apiRequest(port, '/api/v1/documents', {
    method: 'POST',
    body: makePdf(text),
    headers: {
      'Content-Type': 'application/pdf',
      'X-Filename': encodeURIComponent(`${text}.pdf`),
      ...(submittedBy ? { 'X-Submitted-By': encodeURIComponent(submittedBy) } : {}),
    },
  });
  expect(answer.status).toBe(201);
  const { id, state } = answer.json() as { id: string; state: string };
  expect(state).toBe('awaiting_approval');
  return id;
}

function errorOf(answer: Answer): { code: string; message: string } {
  return (answer.json() as { error: { code: string; message: string } }).error;
}

async function events(port: number, id: string): Promise<DocumentEvent[]> {
  return ((await apiRequest(port, `/api/v1/documents/${id}`)).json() as { events: DocumentEvent[] }).events;
}

describe('manual sending through the local API', () => {
  it('waits for a person: approve → delivered, refuse → declined with the reason', async () => {
    const { h, port } = await start(false);
    const first = await upload(port, 'to approve');
    const second = await upload(port, 'to refuse');
    // Nothing goes out on its own: no upload job exists for a document awaiting approval.
    expect(h.agent.store.jobs.openJob('upload', first)).toBeNull();

    const approved = await post(port, `/api/v1/documents/${first}/approve`, { approver: 'Mario Rossi' });
    expect(approved.status).toBe(200);
    expect(approved.json()).toEqual({ id: first, state: 'queued' });
    await h.waitForState(first, 'delivered');

    expect(errorOf(await post(port, `/api/v1/documents/${second}/refuse`, {}))).toMatchObject({ code: 'reason_required' });
    const refused = await post(port, `/api/v1/documents/${second}/refuse`, { reason: 'wrong customer\non this one' });
    expect(refused.json()).toEqual({ id: second, state: 'declined' });
    const detail = (await apiRequest(port, `/api/v1/documents/${second}`)).json();
    expect(detail).toMatchObject({
      state: 'declined',
      reason: 'wrong customer on this one',
      approval: { decision: 'declined', approver: null, verified: false, osUser: agentOsUser(), reason: 'wrong customer on this one' },
      submittedBy: { osUser: agentOsUser(), name: null },
    });
    // Final: neither approved nor refused again.
    const again = await post(port, `/api/v1/documents/${second}/approve`);
    expect(again.status).toBe(409);
    expect(errorOf(again)).toMatchObject({ code: 'not_approvable', message: expect.stringContaining('"declined"') });

    const firstDetail = (await apiRequest(port, `/api/v1/documents/${first}`)).json();
    expect(firstDetail['approval']).toMatchObject({ decision: 'approved', approver: 'Mario Rossi', verified: false, osUser: agentOsUser() });
    expect((await apiRequest(port, '/api/v1/audit/verify')).json()).toMatchObject({ ok: true });
  });

  it('sends nothing a person did not approve: a cancelled one retried goes back to awaiting approval', async () => {
    const { h, port } = await start(false);
    const id = await upload(port, 'cancel then retry');
    expect((await post(port, `/api/v1/documents/${id}/cancel`)).json()).toEqual({ id, state: 'cancelled' });
    expect((await post(port, `/api/v1/documents/${id}/retry`)).json()).toEqual({ id, state: 'awaiting_approval' });
    expect(h.agent.store.documents.get(id)?.state).toBe('awaiting_approval');
    expect((await post(port, `/api/v1/documents/${id}/approve`)).json()).toEqual({ id, state: 'queued' });
    await h.waitForState(id, 'delivered');
  });

  it('decides many at once, with an answer per id', async () => {
    const { h, port } = await start(false);
    const ids = [await upload(port, 'bulk one'), await upload(port, 'bulk two'), await upload(port, 'bulk three')];
    const unknown = '01900000-0000-7000-8000-000000000000';
    const approved = await post(port, '/api/v1/documents/approve', { ids: [ids[0], unknown, ids[1]], approver: 'Mario' });
    expect(approved.status).toBe(200);
    expect(approved.json()).toEqual({
      results: [
        { id: ids[0], ok: true, state: 'queued' },
        { id: unknown, ok: false, status: 404, code: 'not_found', message: expect.any(String) },
        { id: ids[1], ok: true, state: 'queued' },
      ],
    });
    const refused = await post(port, '/api/v1/documents/refuse', { ids: [ids[2], ids[0]], reason: 'duplicate of a paper invoice' });
    expect(refused.json()).toEqual({
      results: [
        { id: ids[2], ok: true, state: 'declined' },
        { id: ids[0], ok: false, status: 409, code: 'not_refusable', message: expect.stringContaining('cannot be refused') },
      ],
    });
    await h.waitForState(ids[0]!, 'delivered');
    await h.waitForState(ids[1]!, 'delivered');
    expect(h.agent.store.documents.get(ids[2]!)).toMatchObject({ state: 'declined', reason: 'duplicate of a paper invoice' });
    expect((await post(port, '/api/v1/documents/approve', { ids: [] })).status).toBe(400);
    // An unknown field (a misspelt "pin") is refused, not ignored.
    const misspelt = await post(port, '/api/v1/documents/approve', { ids: [ids[0]], approver: 'Mario', pn: '1234' });
    expect(misspelt.status).toBe(400);
    expect(errorOf(misspelt).code).toBe('bad_body');
    // Only JSON: the guard refuses a form post before the route.
    const form = await apiRequest(port, `/api/v1/documents/${ids[2]}/approve`, {
      method: 'POST',
      body: 'a=b',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });
});

describe('dual control', () => {
  const ANNA = { approver: 'Anna Bianchi', pin: '2468' };
  const BRUNO = { approver: 'Bruno Verdi', pin: 'b-1357' };
  const CARLA = { approver: 'Carla Neri', pin: '97531' };

  async function register(port: number): Promise<void> {
    // Anna uses the account the agent runs as: what it captures from folders is hers.
    const anna = await post(port, '/api/v1/approvers', { name: ANNA.approver, pin: ANNA.pin, osUser: agentOsUser() });
    expect(anna.status).toBe(201);
    expect(anna.json()).toEqual({ name: ANNA.approver, osUser: agentOsUser(), createdAt: expect.any(String), lockedUntil: null });
    // Once one exists, nobody is added without an approver vouching with their PIN.
    const alone = await post(port, '/api/v1/approvers', { name: BRUNO.approver, pin: BRUNO.pin });
    expect(alone.status).toBe(403);
    expect(errorOf(alone).code).toBe('voucher_required');
    const bruno = await post(port, '/api/v1/approvers', { name: BRUNO.approver, pin: BRUNO.pin, by: ANNA });
    expect(bruno.status).toBe(201);
    expect((await post(port, '/api/v1/approvers', { name: CARLA.approver, pin: CARLA.pin, by: BRUNO })).status).toBe(201);
    expect(errorOf(await post(port, '/api/v1/approvers', { name: ' carla  NERI', pin: '1111', by: BRUNO }))).toMatchObject({ code: 'approver_exists' });
  }

  it('refuses self-approval with a reason, and another approver succeeds; the log verifies and names both', async () => {
    const { h, port } = await start(true);
    await register(port);
    const list = await apiRequest(port, '/api/v1/approvers');
    expect((list.json() as { approvers: { name: string }[] }).approvers.map((a) => a.name)).toEqual([ANNA.approver, BRUNO.approver, CARLA.approver]);
    // Never the PIN or its hash.
    for (const secret of [ANNA.pin, BRUNO.pin, CARLA.pin, 'salt', 'scrypt', 'pinHash']) expect(list.body).not.toContain(secret);

    // A file dropped in the watched folder: captured by the agent's OS user, Anna's account.
    await writeFile(join(h.dropDir, 'dropped.pdf'), makePdf('dropped'));
    const dropped = await waitFor('the dropped file captured', () => h.agent.store.documents.list({ q: 'dropped.pdf' }).documents[0] ?? null);
    expect(dropped).toMatchObject({ state: 'awaiting_approval', submittedBy: { osUser: agentOsUser(), name: null } });

    const nobody = await post(port, `/api/v1/documents/${dropped.id}/approve`);
    expect(nobody.status).toBe(403);
    expect(errorOf(nobody).code).toBe('approver_required');
    const self = await post(port, `/api/v1/documents/${dropped.id}/approve`, ANNA);
    expect(self.status).toBe(403);
    expect(errorOf(self)).toEqual({
      code: 'self_approval',
      message: expect.stringContaining(`captured by the OS user ${agentOsUser()}, which is Anna Bianchi's account`),
    });
    const wrong = await post(port, `/api/v1/documents/${dropped.id}/approve`, { ...BRUNO, pin: '0000' });
    expect(wrong.status).toBe(403);
    expect(errorOf(wrong).code).toBe('wrong_pin');
    expect(h.agent.store.documents.get(dropped.id)?.state).toBe('awaiting_approval');

    const other = await post(port, `/api/v1/documents/${dropped.id}/approve`, BRUNO);
    expect(other.json()).toEqual({ id: dropped.id, state: 'queued' });
    await h.waitForState(dropped.id, 'delivered');

    // Released through the API by Bruno (X-Submitted-By), on the agent's OS account (Anna's): neither
    // Bruno nor Anna may approve it, Carla may.
    const released = await upload(port, 'released by bruno', BRUNO.approver);
    const brunoSelf = await post(port, `/api/v1/documents/${released}/approve`, BRUNO);
    expect(errorOf(brunoSelf)).toEqual({ code: 'self_approval', message: expect.stringContaining('Bruno Verdi released this document') });
    expect(errorOf(await post(port, `/api/v1/documents/${released}/approve`, ANNA)).code).toBe('self_approval');
    expect((await post(port, `/api/v1/documents/${released}/approve`, CARLA)).json()).toEqual({ id: released, state: 'queued' });
    // Refusing one's own document is allowed (it sends nothing), but signed with a PIN.
    const own = await upload(port, 'refused by its author', BRUNO.approver);
    expect(errorOf(await post(port, `/api/v1/documents/${own}/refuse`, { reason: 'not ready' })).code).toBe('approver_required');
    expect((await post(port, `/api/v1/documents/${own}/refuse`, { ...BRUNO, reason: 'not ready' })).json()).toEqual({ id: own, state: 'declined' });

    expect((await apiRequest(port, '/api/v1/audit/verify')).json()).toMatchObject({ ok: true });
    const history = await events(port, dropped.id);
    expect(history.find((e) => e.type === 'document.approval_refused')).toMatchObject({
      data: { code: 'self_approval', approver: ANNA.approver, osUser: agentOsUser() },
    });
    expect(history.find((e) => e.type === 'document.approved')).toMatchObject({
      message: expect.stringContaining('Bruno Verdi (PIN checked)'),
      data: { approver: BRUNO.approver, verified: true, osUser: agentOsUser(), dualControl: true, submittedBy: { osUser: agentOsUser(), name: null } },
    });
    // No PIN anywhere in the log.
    const all = JSON.stringify((await apiRequest(port, '/api/v1/events?since=0&limit=1000')).json());
    for (const pin of [ANNA.pin, BRUNO.pin]) expect(all).not.toContain(pin);
    expect(all).toContain('"type":"approver.added"');
  });

  it('locks an approver out after 5 wrong PINs: 429 with Retry-After, even with the right PIN, for bulk too', async () => {
    const { h, port } = await start(true);
    await register(port);
    const id = await upload(port, 'lockout');
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const wrong = await post(port, `/api/v1/documents/${id}/approve`, { ...BRUNO, pin: `wrong${attempt}` });
      expect(wrong.status).toBe(403);
      expect((wrong.json() as { error: { details: unknown } }).error.details).toEqual({ attemptsLeft: 5 - attempt });
    }
    const fifth = await post(port, `/api/v1/documents/${id}/approve`, { ...BRUNO, pin: 'wrong5' });
    expect(fifth.status).toBe(429);
    expect(errorOf(fifth).code).toBe('approver_locked');
    const retryAfter = Number(fifth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect((fifth.json() as { error: { details: { retryAt: string } } }).error.details.retryAt).toMatch(/^\d{4}-/);

    const right = await post(port, `/api/v1/documents/${id}/approve`, BRUNO);
    expect(right.status).toBe(429);
    const bulk = await post(port, '/api/v1/documents/approve', { ids: [id], ...BRUNO });
    expect(bulk.status).toBe(429);
    expect(bulk.headers['retry-after']).toBeDefined();
    expect(h.agent.store.documents.get(id)?.state).toBe('awaiting_approval');
    const listed = (await apiRequest(port, '/api/v1/approvers')).json() as { approvers: { name: string; lockedUntil: string | null }[] };
    expect(listed.approvers.find((a) => a.name === BRUNO.approver)?.lockedUntil).toMatch(/^\d{4}-/);
    // Another approver is not affected.
    expect((await post(port, `/api/v1/documents/${id}/approve`, CARLA)).json()).toEqual({ id, state: 'queued' });
    const log = JSON.stringify((await apiRequest(port, '/api/v1/events?since=0&limit=1000')).json());
    expect(log).toContain('"type":"approver.locked"');
    expect((await apiRequest(port, '/api/v1/audit/verify')).json()).toMatchObject({ ok: true });
  });
});
