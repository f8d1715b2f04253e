// The tray's icon, tooltip and menu for agent statuses, in Italian and English; the locale choice.
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/contract/local-api.ts';
import { localeFrom } from '../../src/main/i18n.ts';
import { trayMenuFor } from '../../src/main/tray-menu.ts';
import { MAX_TOOLTIP_LENGTH, trayStateFor } from '../../src/main/tray-state.ts';
import { fakeAgentStatus } from '../helpers/agent-status.ts';

function status(patch: Partial<AgentStatus> = {}, hub: Partial<AgentStatus['hub']> = {}): AgentStatus {
  return fakeAgentStatus(
    {
      services: [
        { name: 'outbox', state: 'running', error: null },
        { name: 'status-follower', state: 'running', error: null },
      ],
      watchers: [{ profile: 'main', folder: '/srv/fatture', state: 'watching', error: null }],
      ...patch,
    },
    hub,
  );
}

describe('trayStateFor', () => {
  it('says capture stopped on a full disk, with the reason, in both languages', () => {
    const full = status({ captureHold: { code: 'disk_full', reason: 'disk full: 12 MB needed (0 MB free)', since: '2025-01-01T00:00:00.000Z' } });
    expect(trayStateFor(full, 'en')).toEqual({
      icon: 'error',
      tooltip: expect.stringContaining('Capture stopped: disk full: 12 MB needed') as string,
    });
    expect(trayStateFor(full, 'it').tooltip).toContain('Acquisizione ferma: disk full: 12 MB needed');
    expect(trayStateFor(status({ captureHold: null }), 'en').icon).toBe('ok');
  });

  it('shows ok when nothing is pending, whatever the history', () => {
    const state = status({ counts: { delivered: 120, rejected: 2, failed: 1, accepted: 5 } });
    expect(trayStateFor(state, 'it')).toEqual({ icon: 'ok', tooltip: 'Recapito — tutto consegnato' });
    expect(trayStateFor(state, 'en')).toEqual({ icon: 'ok', tooltip: 'Recapito — everything delivered' });
  });

  it('says since when the hub is unreachable and when the next probe asks again, over either transport', () => {
    const now = Date.parse('2025-01-01T10:12:00Z');
    const down = {
      reachable: false,
      lastError: 'hub unreachable: connection refused',
      unreachableSince: '2025-01-01T10:00:00Z',
      nextTryAt: '2025-01-01T10:12:40Z',
    };
    const state = status({ hold: { code: 'unreachable', reason: 'hub unreachable', since: '2025-01-01T10:00:00Z' }, counts: { held: 200 } }, down);
    expect(trayStateFor(state, 'it', undefined, now)).toEqual({
      icon: 'error',
      tooltip: 'Recapito — Hub non raggiungibile da 12 min, prossimo tentativo tra 40 s · 200 in coda',
    });
    expect(trayStateFor(state, 'en', undefined, now).tooltip).toBe('Recapito — Hub unreachable for 12 min, next try in 40 s · 200 waiting');
    // SFTP has no URL: the outage is still said.
    expect(trayStateFor(status({}, { ...down, url: '', transport: 'sftp' }), 'en', undefined, now).tooltip).toBe(
      'Recapito — Hub unreachable for 12 min, next try in 40 s',
    );
    // A probe due now, an outage of hours.
    expect(
      trayStateFor(status({}, { ...down, unreachableSince: '2025-01-01T07:00:00Z', nextTryAt: '2025-01-01T10:11:59Z' }), 'it', undefined, now).tooltip,
    ).toBe('Recapito — Hub non raggiungibile da 3 h, prossimo tentativo tra 0 s');
  });

  it('defaults to Italian', () => {
    expect(trayStateFor(status()).tooltip).toBe('Recapito — tutto consegnato');
  });

  it('shows working with the number of documents on their way', () => {
    const state = status({ counts: { captured: 1, queued: 1, sending: 1, delivered: 9 } });
    expect(trayStateFor(state, 'it')).toEqual({ icon: 'working', tooltip: 'Recapito — 3 in invio' });
    expect(trayStateFor(state, 'en')).toEqual({ icon: 'working', tooltip: 'Recapito — 3 sending' });
  });

  it('shows attention when the hub put the queue on hold for credits, with what waits', () => {
    const state = status({ hold: { code: 'credits', reason: 'no credits left', since: '2025-01-01T00:00:00Z' }, counts: { held: 4 } });
    expect(trayStateFor(state, 'it')).toEqual({ icon: 'attention', tooltip: 'Recapito — In attesa: crediti esauriti · 4 in coda' });
    expect(trayStateFor(state, 'en')).toEqual({ icon: 'attention', tooltip: 'Recapito — On hold: out of credits · 4 waiting' });
  });

  it('names an invalid key and any other hold reason', () => {
    const auth = status({ hold: { code: 'auth', reason: 'key revoked', since: 'x' } });
    expect(trayStateFor(auth, 'it')).toEqual({ icon: 'attention', tooltip: 'Recapito — In attesa: chiave API non valida' });
    const hostKey = status({ hold: { code: 'host_key', reason: 'host key mismatch', since: 'x' } }, { transport: 'sftp' });
    expect(trayStateFor(hostKey, 'it').tooltip).toBe('Recapito — In attesa: chiave del server SFTP cambiata');
    const permissions = status({ hold: { code: 'permissions', reason: 'EACCES', since: 'x' } }, { transport: 'sftp' });
    expect(trayStateFor(permissions, 'en')).toEqual({ icon: 'attention', tooltip: 'Recapito — On hold: no permission on the hub folders' });
    const other = status({ hold: { code: 'maintenance', reason: 'hub in maintenance', since: 'x' } });
    expect(trayStateFor(other, 'en').tooltip).toBe('Recapito — On hold: hub in maintenance');
  });

  it("shows a person's pause rather than a hub hold underneath it", () => {
    const state = status({ paused: true, hold: { code: 'credits', reason: 'no credits', since: 'x' }, counts: { held: 2 } });
    expect(trayStateFor(state, 'it')).toEqual({ icon: 'attention', tooltip: 'Recapito — Invio in pausa · 2 in coda' });
    expect(trayStateFor(state, 'en').tooltip).toBe('Recapito — Sending paused · 2 waiting');
  });

  it('asks for setup when no hub is configured', () => {
    const state = status({ counts: { queued: 3 } }, { url: '', reachable: null });
    expect(trayStateFor(state, 'it')).toEqual({ icon: 'attention', tooltip: 'Recapito — Da configurare: nessun hub impostato · 3 in coda' });
  });

  it('asks for approvals', () => {
    expect(trayStateFor(status({ counts: { awaiting_approval: 1 } }), 'it').tooltip).toBe('Recapito — 1 documento da approvare');
    expect(trayStateFor(status({ counts: { awaiting_approval: 2 } }), 'en')).toEqual({ icon: 'attention', tooltip: 'Recapito — 2 documents to approve' });
  });

  it('shows error for an unreachable hub, with the first clause of the error, over a pause', () => {
    const state = status({ paused: true, counts: { queued: 2 } }, { reachable: false, lastError: 'connect ETIMEDOUT 10.0.0.1:443; retrying' });
    expect(trayStateFor(state, 'it')).toEqual({ icon: 'error', tooltip: 'Recapito — Hub non raggiungibile (connect ETIMEDOUT 10.0.0.1:443) · 2 in coda' });
    expect(trayStateFor(state, 'en').tooltip).toBe('Recapito — Hub unreachable (connect ETIMEDOUT 10.0.0.1:443) · 2 waiting');
  });

  it('shows error for a missing watched folder and a failed service', () => {
    const missing = status({ watchers: [{ profile: 'main', folder: '/mnt/share/out', state: 'missing', error: 'ENOENT' }] });
    expect(trayStateFor(missing, 'it')).toEqual({ icon: 'error', tooltip: 'Recapito — Cartella non raggiungibile: /mnt/share/out' });
    const failed = status({ services: [{ name: 'outbox', state: 'failed', error: 'boom' }] });
    expect(trayStateFor(failed, 'en')).toEqual({ icon: 'error', tooltip: 'Recapito — Service failed: outbox' });
  });

  it('keeps tooltips within the Windows limit', () => {
    const state = status({ watchers: [{ profile: 'main', folder: `/srv/${'very-long-folder-name/'.repeat(10)}`, state: 'error', error: 'x' }] });
    const { tooltip } = trayStateFor(state, 'it');
    expect(tooltip.length).toBe(MAX_TOOLTIP_LENGTH);
    expect(tooltip.endsWith('…')).toBe(true);
  });
});

describe('trayMenuFor', () => {
  const labels = (entries: ReturnType<typeof trayMenuFor>) => entries.map((e) => ('label' in e ? e.label : '---'));

  it('offers pause while sending, with the state as a disabled first line', () => {
    const s = status();
    const entries = trayMenuFor({ status: s, state: trayStateFor(s, 'it'), locale: 'it', startAtLogin: true, hasDropFolder: true });
    expect(labels(entries)).toEqual([
      'Recapito — tutto consegnato',
      '---',
      'Apri Recapito',
      'Sospendi invio',
      'Apri cartella di deposito',
      '---',
      "Avvia all'accesso",
      "Crea pacchetto per l'assistenza…",
      '---',
      'Esci',
    ]);
    expect(entries[0]).toEqual({ kind: 'status', label: 'Recapito — tutto consegnato' });
    expect(entries.find((e) => e.kind === 'checkbox')).toMatchObject({ action: 'toggle-start-at-login', checked: true });
  });

  it('offers resume when paused, and disables the drop folder when there is none', () => {
    const s = status({ paused: true });
    const entries = trayMenuFor({ status: s, state: trayStateFor(s, 'en'), locale: 'en', startAtLogin: false, hasDropFolder: false });
    expect(entries).toContainEqual({ kind: 'action', action: 'resume', label: 'Resume sending', enabled: true });
    expect(entries.some((e) => e.kind === 'action' && e.action === 'pause')).toBe(false);
    expect(entries).toContainEqual({ kind: 'action', action: 'open-drop-folder', label: 'Open drop folder', enabled: false });
    expect(entries).toContainEqual({ kind: 'checkbox', action: 'toggle-start-at-login', label: 'Start at login', checked: false });
  });
});

describe('localeFrom', () => {
  it.each([
    ['it-IT', 'it'],
    ['it', 'it'],
    ['it_CH', 'it'],
    ['de-IT', 'it'],
    ['en-US', 'en'],
    ['en-GB', 'en'],
    ['fr-FR', 'en'],
    ['de', 'en'],
    ['', 'it'],
    [null, 'it'],
    ['C', 'it'],
  ] as const)('%s → %s', (input, expected) => {
    expect(localeFrom(input)).toBe(expected);
  });
});
