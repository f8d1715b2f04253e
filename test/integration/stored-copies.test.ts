// Small captured documents kept in the store (migration 8): written in the capture's own commit
// instead of a spool file, read back verified, sent from there, surviving a restart, and a large
// one still goes to a spool file. The SDI receipts the hub returns are kept there too. A real agent, a real SQLite file, the sandbox hub over real TLS.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { fixture, makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { INLINE_PART_MAX_BYTES, SpoolCorruptError, sha256Hex } from '../../src/core/store/spool.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const INVOICE = 'IT01234567890_FPR01.xml';

async function spoolFiles(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'spool');
  const found: string[] = [];
  for (const shard of await readdir(root).catch(() => [] as string[])) found.push(...(await readdir(join(root, shard)).catch(() => [] as string[])));
  return found;
}

describe('small documents kept in the store', () => {
  it('are written with their record, not as spool files, and sent from there, also after a restart', async () => {
    const h = (harness = await startHarness());
    h.agent.pause(); // held: the copy must outlive a restart before it is sent
    const invoice = fixture('fatturapa', INVOICE);
    await writeFile(join(h.dropDir, INVOICE), invoice);
    const captured = await waitFor('captured', () => h.agent.documents({ limit: 5 }).documents.find((d) => d.name === INVOICE));
    await h.waitForState(captured.id, 'held');

    expect(invoice.length).toBeLessThanOrEqual(INLINE_PART_MAX_BYTES);
    expect(h.agent.store.spoolBlobs.get(captured.sha256)).toEqual(invoice);
    expect(await spoolFiles(h.dataDir)).toEqual([]);

    const agent = await h.restartAgent();
    expect((await agent.content(captured.id))?.bytes).toEqual(invoice);
    agent.resume();
    await h.waitForState(captured.id, ['delivered', 'accepted', 'sent', 'received']);
    const atHub = h.hub.listDocuments().find((d) => d.idempotencyKey === captured.id);
    expect(atHub?.sha256).toBe(sha256Hex(invoice));
    expect(atHub?.uploads).toBe(1);
  });

  it('keeps the SDI receipts the hub returns in the store, written with the status that names them', async () => {
    const h = (harness = await startHarness({ hub: { sdiDelaysMs: { processing: 0, sent: 0, outcome: 0 } } }));
    const invoice = fixture('fatturapa', INVOICE);
    await writeFile(join(h.dropDir, INVOICE), invoice);
    const captured = await waitFor('captured', () => h.agent.documents({ limit: 5 }).documents.find((d) => d.name === INVOICE));
    await h.waitForState(captured.id, 'delivered');
    const receipts = await waitFor('the receipt downloaded', () => {
      const files = h.agent.document(captured.id)?.files.filter((f) => /_RC_/.test(f.name)) ?? [];
      return files.length > 0 ? files : null;
    });
    for (const receipt of receipts) {
      expect(receipt.size).toBeLessThanOrEqual(INLINE_PART_MAX_BYTES);
      expect(h.agent.store.spoolBlobs.has(receipt.sha256)).toBe(true);
    }
    expect(await spoolFiles(h.dataDir)).toEqual([]);

    const agent = await h.restartAgent();
    for (const receipt of receipts) {
      const bytes = await agent.file(captured.id, receipt.name);
      expect(bytes && sha256Hex(bytes)).toBe(receipt.sha256);
      expect(bytes?.toString('utf8')).toContain('RicevutaConsegna');
    }
  });

  it('keeps a document over the inline size in a spool file, as before', async () => {
    const h = (harness = await startHarness());
    h.agent.pause();
    // Over 64 KiB (whatever it is judged to be, its bytes are kept).
    const large = Buffer.concat([makePdf('grande'), Buffer.from(`%${'x'.repeat(INLINE_PART_MAX_BYTES)}\n`)]);
    await writeFile(join(h.dropDir, 'large.pdf'), large);
    const captured = await waitFor('captured', () => h.agent.documents({ limit: 5 }).documents.find((d) => d.name === 'large.pdf'));
    expect(h.agent.store.spoolBlobs.has(captured.sha256)).toBe(false);
    expect(existsSync(h.agent.spool.pathFor(captured.sha256))).toBe(true);
    expect((await h.agent.content(captured.id))?.bytes).toEqual(large);
  });

  it('refuses a damaged copy in the store: the document fails with the reason, nothing damaged is sent', async () => {
    const h = (harness = await startHarness());
    h.agent.pause();
    await writeFile(join(h.dropDir, 'note.pdf'), makePdf('nota'));
    const captured = await waitFor('captured', () => h.agent.documents({ limit: 5 }).documents.find((d) => d.name === 'note.pdf'));
    await h.waitForState(captured.id, 'held');
    const bytes = h.agent.store.spoolBlobs.get(captured.sha256)!;
    const damaged = Buffer.from(bytes);
    damaged[damaged.length - 2]! ^= 0xff;
    h.agent.store.db.prepare('UPDATE spool_blobs SET bytes = ? WHERE sha256 = ?').run(damaged, captured.sha256);

    await expect(h.agent.spool.read(captured.sha256)).rejects.toBeInstanceOf(SpoolCorruptError);
    h.agent.resume();
    await h.waitForState(captured.id, 'failed');
    expect(h.agent.document(captured.id)?.reason).toMatch(/damaged/);
    expect(h.hub.listDocuments().some((d) => d.idempotencyKey === captured.id)).toBe(false);
  });
});
