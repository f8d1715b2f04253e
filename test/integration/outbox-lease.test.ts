// An upload slower than the job's lease: the running agent renews its leases, so the job is not
// claimed a second time when the outbox next looks at the queue (no second "sending", no replay).
import { afterEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const LEASE_SECONDS = 5; // the shortest the settings allow

describe('outbox leases', () => {
  it('keeps the lease of an upload that outlasts it, so a later claim does not take it again', async () => {
    const h = (harness = await startHarness({
      settings: (s) => ({ ...s, outbox: { ...s.outbox, leaseSeconds: LEASE_SECONDS }, hub: { ...s.hub, requestTimeoutSeconds: 30 } }),
    }));
    h.hub.injectFaults([{ route: 'POST /v1/documents', kind: 'slow', delayMs: (LEASE_SECONDS + 3) * 1000, times: 1 }]);
    await writeFile(join(h.dropDir, 'slow.pdf'), makePdf('slow upload'));
    const slow = await waitFor('the slow upload under way', () => h.agent.documents({}).documents.find((d) => d.name === 'slow.pdf' && d.state === 'sending'));
    // Past the lease, a new capture wakes the outbox, which claims whatever is ready.
    await new Promise((resolve) => setTimeout(resolve, (LEASE_SECONDS + 1) * 1000));
    await writeFile(join(h.dropDir, 'next.pdf'), makePdf('the next one'));
    const next = await waitFor('the next one captured', () => h.agent.documents({}).documents.find((d) => d.name === 'next.pdf'));
    await h.waitForState(next.id, ['received', 'processing', 'delivered'], 20_000);
    await h.waitForState(slow.id, ['received', 'processing', 'delivered'], 20_000);

    const events = h.agent.document(slow.id)?.events ?? [];
    expect(events.filter((e) => e.type === 'document.sending')).toHaveLength(1);
    const accepted = events.filter((e) => e.type === 'document.accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.data).toMatchObject({ replay: false });
    const atHub = h.hub.listDocuments().filter((d) => d.idempotencyKey === slow.id);
    expect(atHub).toHaveLength(1);
    expect(atHub[0]?.uploads).toBe(1); // one POST: no second upload of the same job
    // Claimed once: an expired lease would have been claimed again (a second attempt), even if the
    // outbox then saw the upload under way and left it alone.
    const db = new Database(join(h.dataDir, 'recapito.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT attempts FROM jobs WHERE document_id = ?').get(slow.id)).toEqual({ attempts: 1 });
    } finally {
      db.close();
    }
  }, 40_000);
});
