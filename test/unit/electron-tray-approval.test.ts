// The tray says how many documents wait for a person's approval (docs/approval.md): in the tooltip
// whatever else it says, and as a menu entry that opens the window, in Italian and English.
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/contract/local-api.ts';
import { trayMenuFor } from '../../src/main/tray-menu.ts';
import { trayStateFor } from '../../src/main/tray-state.ts';
import { fakeAgentStatus } from '../helpers/agent-status.ts';

function status(patch: Partial<AgentStatus> = {}, hub: Partial<AgentStatus['hub']> = {}): AgentStatus {
  return fakeAgentStatus({ services: [{ name: 'outbox', state: 'running', error: null }], ...patch }, hub);
}

describe('tray and approvals', () => {
  it('asks for approval in the tooltip when nothing else is wrong', () => {
    expect(trayStateFor(status({ counts: { awaiting_approval: 3, delivered: 9 } }), 'it')).toEqual({
      icon: 'attention',
      tooltip: 'Recapito — 3 documenti da approvare',
    });
    expect(trayStateFor(status({ counts: { awaiting_approval: 1 } }), 'en').tooltip).toBe('Recapito — 1 document to approve');
  });

  it('keeps the count in the tooltip under a more urgent headline', () => {
    const paused = status({ paused: true, counts: { held: 2, awaiting_approval: 4 } });
    expect(trayStateFor(paused, 'it').tooltip).toBe('Recapito — Invio in pausa · 2 in coda · 4 da approvare');
    const unreachable = status({ counts: { awaiting_approval: 1 } }, { reachable: false, lastError: 'connect ECONNREFUSED' });
    expect(trayStateFor(unreachable, 'en')).toEqual({ icon: 'error', tooltip: 'Recapito — Hub unreachable (connect ECONNREFUSED) · 1 to approve' });
  });

  it('offers an entry that opens the window to approve, only while some wait', () => {
    const waiting = status({ counts: { awaiting_approval: 2 } });
    const menu = trayMenuFor({ status: waiting, state: trayStateFor(waiting, 'it'), locale: 'it', startAtLogin: false, hasDropFolder: false });
    expect(menu).toContainEqual({ kind: 'action', action: 'open', label: 'Approva 2 documenti…', enabled: true });
    const en = trayMenuFor({ status: waiting, state: trayStateFor(waiting, 'en'), locale: 'en', startAtLogin: false, hasDropFolder: false });
    expect(en).toContainEqual({ kind: 'action', action: 'open', label: 'Approve 2 documents…', enabled: true });
    const none = status({ counts: { delivered: 5 } });
    const plain = trayMenuFor({ status: none, state: trayStateFor(none, 'it'), locale: 'it', startAtLogin: false, hasDropFolder: false });
    expect(plain.filter((entry) => entry.kind === 'action' && entry.action === 'open')).toHaveLength(1);
  });
});
