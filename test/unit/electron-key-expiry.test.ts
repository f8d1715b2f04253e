// The desktop shell and the API key (docs/enrollment.md): a PC with no key says it is to be
// activated, not that its key is invalid; the key's expiry is said in the tooltip and the menu from
// 30 days ahead (not 31), and from the instant it expires; one desktop notification when the key
// enters the window and one when it expires, each once per key, across restarts; Italian and English.
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/contract/local-api.ts';
import { keyWarningFor, trayStateFor } from '../../src/main/tray-state.ts';
import { trayMenuFor } from '../../src/main/tray-menu.ts';
import { keyExpiryNotification, type ShellNotification } from '../../src/main/notifications.ts';
import { KeyExpiryNotifier } from '../../src/main/notification-feed.ts';
import { fakeAgentStatus } from '../helpers/agent-status.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2035-03-01T09:00:00Z');
const inDays = (days: number): string => new Date(NOW + days * DAY).toISOString();

function status(hub: Partial<AgentStatus['hub']> = {}, patch: Partial<AgentStatus> = {}): AgentStatus {
  return fakeAgentStatus({ startedAt: '2035-01-01T00:00:00.000Z', ...patch }, hub);
}

const menu = (s: AgentStatus, locale: 'it' | 'en' = 'it') =>
  trayMenuFor({ status: s, state: trayStateFor(s, locale, undefined, NOW), locale, startAtLogin: true, hasDropFolder: true, now: NOW });

describe('tray and the API key', () => {
  it('a PC with no key is to be activated, not "key not valid", and the menu opens the card', () => {
    const fresh = status({ keySource: null });
    expect(trayStateFor(fresh, 'it', undefined, NOW)).toEqual({ icon: 'attention', tooltip: 'Recapito — Da attivare: serve il codice di attivazione' });
    // The queue held for want of a key says the same.
    const held = status({ keySource: null }, { hold: { code: 'auth', reason: 'no API key', since: '2035-03-01T08:00:00Z' } });
    expect(trayStateFor(held, 'en', undefined, NOW).tooltip).toBe('Recapito — Setup needed: enter the activation code');
    expect(menu(held, 'en')).toContainEqual({ kind: 'action', action: 'open', label: 'Activate this computer…', enabled: true });
    // A key the hub refuses is still "not valid"; a key from the environment cannot be replaced here.
    const refused = status({}, { hold: { code: 'auth', reason: '401 api_key_revoked', since: '2035-03-01T08:00:00Z' } });
    expect(trayStateFor(refused, 'it', undefined, NOW).tooltip).toBe('Recapito — In attesa: chiave API non valida');
    expect(menu(status({ keySource: 'environment', keyExpiresAt: inDays(3) })).map((e) => ('label' in e ? e.label : ''))).not.toContain(
      'Attiva questo computer…',
    );
    // SFTP has no activation code.
    expect(trayStateFor(status({ transport: 'sftp', keySource: null }), 'it', undefined, NOW).icon).toBe('ok');
  });

  it('warns of the expiry from 30 days ahead, not 31, after the headline; the icon stays', () => {
    expect(keyWarningFor(status({ keyExpiresAt: inDays(31) }), 'it', NOW)).toBeNull();
    expect(trayStateFor(status({ keyExpiresAt: inDays(31) }), 'it', undefined, NOW)).toEqual({ icon: 'ok', tooltip: 'Recapito — tutto consegnato' });
    expect(keyWarningFor(status({ keyExpiresAt: inDays(30) }), 'it', NOW)).toBe('la chiave API scade tra 30 giorni');
    expect(trayStateFor(status({ keyExpiresAt: inDays(30) }), 'it', undefined, NOW)).toEqual({
      icon: 'ok',
      tooltip: 'Recapito — tutto consegnato · la chiave API scade tra 30 giorni',
    });
    expect(trayStateFor(status({ keyExpiresAt: inDays(1) }, { counts: { queued: 2 } }), 'en', undefined, NOW)).toEqual({
      icon: 'working',
      tooltip: 'Recapito — 2 sending · the API key expires within a day',
    });
    expect(keyWarningFor(status({ keyExpiresAt: inDays(1 / 24) }), 'en', NOW)).toBe('the API key expires within a day');
    // SFTP: no key expiry.
    expect(keyWarningFor(status({ transport: 'sftp', keyExpiresAt: inDays(3) }), 'it', NOW)).toBeNull();
  });

  it('an expired key asks for attention at once, before the hub refuses it', () => {
    expect(trayStateFor(status({ keyExpiresAt: inDays(0) }), 'it', undefined, NOW)).toEqual({
      icon: 'attention',
      tooltip: 'Recapito — Chiave API scaduta: attiva di nuovo',
    });
    expect(trayStateFor(status({ keyExpiresAt: inDays(-2) }), 'en', undefined, NOW).tooltip).toBe('Recapito — API key expired: activate again');
  });

  it('the menu says the expiry on its own line when the tooltip is about something else, and offers the card', () => {
    const expiring = status({ keyExpiresAt: inDays(12) });
    const entries = menu(expiring);
    // The tooltip line already says it: no second line.
    expect(entries.filter((e) => e.kind === 'status')).toEqual([{ kind: 'status', label: 'Recapito — tutto consegnato · la chiave API scade tra 12 giorni' }]);
    expect(entries).toContainEqual({ kind: 'action', action: 'open', label: 'Attiva questo computer…', enabled: true });
    // Paused: the tooltip says so, the key's expiry gets its own line.
    const paused = menu(status({ keyExpiresAt: inDays(12) }, { paused: true, hold: { code: 'paused', reason: 'paused', since: '2035-03-01T08:00:00Z' } }));
    expect(paused.filter((e) => e.kind === 'status').map((e) => e.label)).toEqual(['Recapito — Invio in pausa', 'la chiave API scade tra 12 giorni']);
    // Nothing about the key 31 days ahead.
    expect(menu(status({ keyExpiresAt: inDays(31) })).some((e) => 'label' in e && e.label === 'Attiva questo computer…')).toBe(false);
  });
});

describe('key expiry notifications', () => {
  it('names the days left and the date, in both languages; nothing outside the window or over SFTP', () => {
    expect(keyExpiryNotification({ transport: 'https', keyExpiresAt: inDays(31) }, NOW)).toBeNull();
    expect(keyExpiryNotification({ transport: 'https', keyExpiresAt: null }, NOW)).toBeNull();
    expect(keyExpiryNotification({ transport: 'sftp', keyExpiresAt: inDays(3) }, NOW)).toBeNull();
    expect(keyExpiryNotification({ transport: 'https', keyExpiresAt: inDays(30) }, NOW, 'it')).toEqual({
      title: 'La chiave API scade tra 30 giorni',
      body: "Dal 31 marzo 2035 l'hub non la accetterà più. Chiedi al fornitore un nuovo codice di attivazione e attiva di nuovo Recapito.",
      documentId: null,
      key: `key-expiry:${inDays(30)}:soon`,
    });
    expect(keyExpiryNotification({ transport: 'https', keyExpiresAt: inDays(0) }, NOW, 'en')).toMatchObject({
      title: 'Sending on hold: API key expired',
      key: `key-expiry:${inDays(0)}:expired`,
    });
    // A reseller's name instead of Recapito.
    expect(keyExpiryNotification({ transport: 'https', keyExpiresAt: inDays(-1) }, NOW, 'en', 'FattureFacili')?.body).toContain('activate FattureFacili again');
  });

  it('shows each stage of each key once: entering the window, expiring; a new key starts again; kept across restarts', () => {
    const shown: ShellNotification[] = [];
    const kept: string[] = [];
    const notifier = (lastShown: string | null) =>
      new KeyExpiryNotifier({ locale: 'it', lastShown, show: (n) => shown.push(n), onShown: (key) => kept.push(key) });
    const first = notifier(null);
    const expiresAt = inDays(30.5);
    first.check({ transport: 'https', keyExpiresAt: expiresAt }, NOW); // 31 days: nothing
    expect(shown).toEqual([]);
    first.check({ transport: 'https', keyExpiresAt: expiresAt }, NOW + DAY); // 30: into the window
    first.check({ transport: 'https', keyExpiresAt: expiresAt }, NOW + 2 * DAY); // 29: the same stage
    first.check({ transport: 'https', keyExpiresAt: expiresAt }, NOW + 20 * DAY);
    expect(shown.map((n) => n.title)).toEqual(['La chiave API scade tra 30 giorni']);

    // The app restarts inside the window: nothing new.
    const second = notifier(kept.at(-1)!);
    second.check({ transport: 'https', keyExpiresAt: expiresAt }, NOW + 25 * DAY);
    expect(shown).toHaveLength(1);
    // It expires: once.
    second.check({ transport: 'https', keyExpiresAt: expiresAt }, NOW + 31 * DAY);
    second.check({ transport: 'https', keyExpiresAt: expiresAt }, NOW + 32 * DAY);
    expect(shown.map((n) => n.title)).toEqual(['La chiave API scade tra 30 giorni', 'Invio sospeso: chiave API scaduta']);

    // Enrolled again: a key valid for a year says nothing until its own window.
    const renewed = inDays(31 + 365);
    second.check({ transport: 'https', keyExpiresAt: renewed }, NOW + 33 * DAY);
    expect(shown).toHaveLength(2);
    second.check({ transport: 'https', keyExpiresAt: renewed }, NOW + (31 + 365 - 10) * DAY);
    expect(shown.at(-1)?.title).toBe('La chiave API scade tra 10 giorni');
    expect(kept).toHaveLength(3);
  });
});
