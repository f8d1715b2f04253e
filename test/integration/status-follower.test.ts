// The status follower catches up after the agent was away: a cursor the hub no longer keeps
// (410) leads to reconciliation of open documents and a jump to the hub's last sequence, with
// every notification file downloaded, each status applied once.
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe('status follower', () => {
  it('reconciles after a 410 (cursor older than the hub keeps) and resumes from the hub lastSeq', async () => {
    const h = (harness = await startHarness({ hub: { eventRetention: 3, sdiDelaysMs: { processing: 0, sent: 0, outcome: 1500 } } }));
    const names = ['one.pdf', 'two.pdf', 'three.pdf', 'four.pdf', 'five.pdf'];
    for (const name of names) await writeFile(join(h.dropDir, name), makePdf(name));
    const documents = await waitFor(
      'all sent',
      () => {
        const found = h.agent.documents({ limit: 10 }).documents.filter((d) => d.state === 'sent');
        return found.length === names.length ? found : null;
      },
      20_000,
    );
    const cursorBefore = h.agent.store.kv.get<number>('hub.events.cursor') ?? 0;

    // The agent is away while SDI answers: the hub produces more events than it keeps.
    await h.restartAgent(undefined, async () => {
      await waitFor('the hub to deliver everything', () => h.hub.listDocuments().every((d) => d.status === 'delivered'), 20_000);
    });
    for (const document of documents) await h.waitForState(document.id, 'delivered');
    for (const document of documents) {
      const detail = h.agent.document(document.id)!;
      expect(detail.files.filter((f) => /_RC_/.test(f.name))).toHaveLength(1);
      expect(detail.events.filter((e) => e.state === 'delivered')).toHaveLength(1);
    }
    const log = await waitFor('410 handled', async () => {
      const text = await readFile(join(h.dataDir, 'logs', 'recapito.log'), 'utf8');
      return text.includes('cursor expired') ? text : null;
    });
    expect(log).toContain('reconciling open documents');
    await waitFor('cursor moved to the hub lastSeq', () => (h.agent.store.kv.get<number>('hub.events.cursor') ?? 0) > cursorBefore + 3);
  });
});
