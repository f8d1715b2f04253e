// Desktop notifications: which events become one, what it says in Italian and English, and the
// feed that follows a real agent's event log (real SQLite) without repeating news.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import type { DocumentEvent } from '../../src/contract/local-api.ts';
import { createAgent, type Agent } from '../../src/core/agent/agent.ts';
import { defaultSettings } from '../../src/core/config/settings-schema.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { NotificationFeed } from '../../src/main/notification-feed.ts';
import { MAX_BODY_LENGTH, coalesceNotifications, notificationFor, type ShellNotification } from '../../src/main/notifications.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

function event(patch: Partial<DocumentEvent>): DocumentEvent {
  return { seq: 1, at: '2025-01-01T00:00:00Z', type: 'document.hub_status', documentId: 'doc-1', state: null, message: null, ...patch };
}

describe('notificationFor', () => {
  it('announces an SDI rejection with the file name and the reason', () => {
    const e = event({ state: 'rejected', message: '00404: Fattura duplicata' });
    expect(notificationFor(e, 'IT01234567890_FPR01.xml', 'it')).toEqual({
      title: 'Fattura scartata dallo SDI',
      body: 'IT01234567890_FPR01.xml: 00404: Fattura duplicata',
      documentId: 'doc-1',
      key: 'doc-1:rejected',
    });
    expect(notificationFor(e, 'IT01234567890_FPR01.xml', 'en')).toMatchObject({
      title: 'Invoice rejected by SDI',
      body: 'IT01234567890_FPR01.xml: 00404: Fattura duplicata',
    });
  });

  it('explains a failed delivery to the recipient', () => {
    const e = event({ state: 'not_delivered' });
    const it = notificationFor(e, 'fattura-12.xml', 'it');
    expect(it?.title).toBe('Fattura non consegnata');
    expect(it?.body).toContain('fattura-12.xml');
    expect(it?.body).toContain('cassetto fiscale');
    expect(notificationFor(e, 'fattura-12.xml', 'en')?.title).toBe('Invoice not delivered');
  });

  it('announces a refusal by a public administration', () => {
    expect(notificationFor(event({ state: 'refused', message: 'importo errato' }), 'pa.xml', 'it')).toMatchObject({
      title: 'Fattura rifiutata dalla PA',
      body: 'pa.xml: importo errato',
    });
  });

  it('announces a permanent failure from the hub', () => {
    const e = event({ type: 'document.failed', state: 'failed', message: 'the hub refused the file: not a valid FatturaPA' });
    expect(notificationFor(e, 'x.xml', 'it')).toMatchObject({ title: 'Invio non riuscito', body: 'x.xml: the hub refused the file: not a valid FatturaPA' });
    expect(notificationFor(e, 'x.xml', 'en')).toMatchObject({ title: 'Sending failed' });
  });

  it('announces a hold for credits or the key, with what to do', () => {
    const credits = event({ type: 'queue.held', documentId: null, message: 'no credits', data: { code: 'credits' } });
    expect(notificationFor(credits, null, 'it')).toEqual({
      title: 'Invio sospeso: crediti esauriti',
      body: "Ricarica i crediti sull'hub: i documenti restano in coda e partono da soli.",
      documentId: null,
      key: 'queue.held:credits',
    });
    const auth = event({ type: 'queue.held', documentId: null, message: 'key revoked', data: { code: 'auth' } });
    expect(notificationFor(auth, null, 'en')).toMatchObject({ title: 'Sending on hold: API key not valid' });
    const hostKey = event({ type: 'queue.held', documentId: null, message: 'host key mismatch', data: { code: 'host_key' } });
    expect(notificationFor(hostKey, null, 'it')).toMatchObject({ title: 'Invio sospeso: server SFTP non riconosciuto', key: 'queue.held:host_key' });
    const permissions = event({ type: 'queue.held', documentId: null, message: 'EACCES', data: { code: 'permissions' } });
    expect(notificationFor(permissions, null, 'en')).toMatchObject({ title: 'Sending on hold: no permission at the hub' });
    const other = event({ type: 'queue.held', documentId: null, message: 'hub maintenance', data: { code: 'maintenance' } });
    expect(notificationFor(other, null, 'en')).toMatchObject({ title: 'Sending on hold', body: 'hub maintenance' });
    // A hub outage resolves by itself: shown in the tray and the window, never a popup.
    const unreachable = event({ type: 'queue.held', documentId: null, message: 'hub unreachable: connection refused', data: { code: 'unreachable' } });
    expect(notificationFor(unreachable, null, 'it')).toBeNull();
  });

  it('stays silent for routine progress and for the document-level echo of a hold', () => {
    for (const e of [
      event({ type: 'document.captured', state: 'queued' }),
      event({ type: 'document.sending', state: 'sending' }),
      event({ type: 'document.hub_status', state: 'delivered' }),
      event({ type: 'document.held', state: 'held', message: 'no credits' }),
      event({ type: 'queue.paused', documentId: null, message: 'sending paused by the user' }),
      // A later event on a rejected document (a notification file arriving) is not news again.
      event({ type: 'document.file_added', state: 'rejected' }),
    ]) {
      expect(notificationFor(e, 'x.pdf', 'it'), e.type).toBeNull();
    }
  });

  it('names an unknown document and keeps long reasons short', () => {
    const n = notificationFor(event({ state: 'rejected', message: 'x'.repeat(1000) }), null, 'it');
    expect(n?.body.startsWith('Documento: xxx')).toBe(true);
    expect(n?.body.length).toBe(MAX_BODY_LENGTH);
  });
});

describe('coalesceNotifications', () => {
  const make = (i: number): ShellNotification => ({ title: `t${i}`, body: 'b', documentId: `d${i}`, key: `d${i}:rejected` });

  it('passes a few through and folds a burst into one summary', () => {
    expect(coalesceNotifications([make(1), make(2), make(3)], 'it')).toHaveLength(3);
    expect(coalesceNotifications([1, 2, 3, 4, 5].map(make), 'it')).toEqual([
      { title: '5 documenti richiedono attenzione', body: 'Apri Recapito per vedere i dettagli.', documentId: null, key: 'summary' },
    ]);
    expect(coalesceNotifications([1, 2, 3, 4].map(make), 'en')[0]?.title).toBe('4 documents need attention');
  });
});

describe('NotificationFeed on a real agent', () => {
  let agent: Agent;
  let cleanup: () => Promise<void>;
  let feed: NotificationFeed | null = null;
  let shown: ShellNotification[];
  let batches: number;

  beforeEach(async () => {
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const settings = { ...defaultSettings(), api: { ...defaultSettings().api, port: 0 } };
    const secrets = await createFileSecretStore(join(temp.dir, 'secrets.json'), {});
    const log = createLogger({ dir: join(temp.dir, 'logs'), level: 'warn', maxFileBytes: 1024 * 1024, maxFiles: 1 });
    agent = createAgent(settings, { dataDir: temp.dir, secrets, log });
    await agent.start();
    shown = [];
    batches = 0;
  });

  afterEach(async () => {
    await feed?.stop();
    feed = null;
    await agent.stop();
    await cleanup();
  });

  function startFeed(afterSeq = agent.store.events.lastSeq(), longPollSeconds = 1): NotificationFeed {
    feed = new NotificationFeed({
      source: {
        events: (since, timeout, limit, signal) => agent.events(since, timeout, limit, signal),
        documentName: (id) => agent.store.documents.get(id)?.name ?? null,
      },
      afterSeq,
      locale: 'it',
      show: (n) => shown.push(n),
      onEvents: () => {
        batches += 1;
      },
      log: { warn: () => undefined },
      longPollSeconds,
    });
    feed.start();
    return feed;
  }

  async function capture(name: string): Promise<string> {
    const [document] = await agent.submit({ bytes: makePdf(name), name, source: 'api' });
    if (!document) throw new Error('nothing captured');
    return document.id;
  }

  function hubSays(id: string, state: 'rejected' | 'not_delivered' | 'delivered', message: string | null): void {
    agent.store.transaction(() => agent.store.documents.transition(id, { state, reason: message }, { type: 'document.hub_status', message }));
  }

  it('notifies a rejection once, with the document name, and not the history before it started', async () => {
    const old = await capture('old.pdf');
    hubSays(old, 'rejected', 'old news');
    const id = await capture('fattura-7.pdf');
    const seqBefore = agent.store.events.lastSeq();
    startFeed();

    hubSays(id, 'rejected', '00404: Fattura duplicata');
    await waitFor('the rejection notification', () => shown.length === 1);
    expect(shown[0]).toMatchObject({ title: 'Fattura scartata dallo SDI', body: 'fattura-7.pdf: 00404: Fattura duplicata', documentId: id });

    // The hub repeats the status: no second popup. Another document's delivery: no popup.
    hubSays(id, 'rejected', '00404: Fattura duplicata');
    const other = await capture('ok.pdf');
    hubSays(other, 'delivered', null);
    await waitFor('the feed to catch up', () => feed?.lastSeq() === agent.store.events.lastSeq());
    expect(shown).toHaveLength(1);
    expect(feed?.lastSeq()).toBeGreaterThan(seqBefore);
    expect(batches).toBeGreaterThan(0);
  });

  it('notifies a hub hold once until it is released, then again', async () => {
    startFeed();
    agent.hold.enter('credits', 'no credits left');
    await waitFor('the hold notification', () => shown.length === 1);
    expect(shown[0]?.title).toBe('Invio sospeso: crediti esauriti');

    agent.hold.clear('credits topped up');
    agent.hold.enter('credits', 'no credits left');
    await waitFor('the second hold notification', () => shown.length === 2);
    expect(shown[1]?.key).toBe('queue.held:credits');
  });

  it('folds a burst of rejections into one summary', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await capture(`batch-${i}.pdf`));
    startFeed();
    agent.store.transaction(() => {
      for (const id of ids) agent.store.documents.transition(id, { state: 'rejected', reason: 'bad' }, { type: 'document.hub_status', message: 'bad' });
    });
    await waitFor('the summary', () => shown.length === 1);
    expect(shown[0]).toMatchObject({ title: '5 documenti richiedono attenzione', documentId: null });
  });

  it('catches up on events after a remembered sequence number (what happened while the window was closed)', async () => {
    const seq = agent.store.events.lastSeq();
    const id = await capture('overnight.pdf');
    hubSays(id, 'not_delivered', null);
    startFeed(seq);
    await waitFor('the catch-up notification', () => shown.length === 1);
    expect(shown[0]).toMatchObject({ title: 'Fattura non consegnata', documentId: id });
  });

  it('stops promptly while a long poll is waiting', async () => {
    const polls = vi.spyOn(agent, 'events');
    startFeed(undefined, 25);
    await waitFor('the long poll to wait', () => polls.mock.calls.length > 0);
    const started = Date.now();
    await feed?.stop();
    // A stop that waited for the poll would take its 25 s; 5 s is far above a prompt stop on a loaded machine.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
