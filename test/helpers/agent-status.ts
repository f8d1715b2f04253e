// An AgentStatus for the desktop shell's unit tests: a healthy agent on an HTTPS hub, with what the
// test is about patched in. One place, so a field added to the status is added once.
import type { AgentStatus } from '../../src/contract/local-api.ts';

export function fakeAgentStatus(patch: Partial<AgentStatus> = {}, hub: Partial<AgentStatus['hub']> = {}): AgentStatus {
  return {
    version: '0.1.0',
    startedAt: '2025-01-01T00:00:00.000Z',
    paused: false,
    hold: null,
    counts: {},
    services: [],
    watchers: [],
    printers: [],
    ...patch,
    hub: {
      transport: 'https',
      url: 'https://hub.example.com',
      reachable: true,
      lastContactAt: null,
      lastError: null,
      lastSyncAt: null,
      credits: 100,
      keyExpiresAt: null,
      unreachableSince: null,
      nextTryAt: null,
      keySource: 'store',
      ...hub,
    },
  };
}
