// The walking skeleton, end to end in one process: files dropped into a watched folder reach the
// sandbox hub over real TLS exactly once and come back with the SDI states its rules give.
import { afterEach, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TRANSPORTS, startHarness, type Harness } from '../helpers/harness.ts';
import { needsSshd } from '../helpers/sshd.ts';
import { needs } from '../helpers/system-tools.ts';
import { distinctSamples, makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const byName = (h: Harness, name: string) => h.agent.documents({ limit: 500 }).documents.find((d) => d.name === name);

for (const transport of TRANSPORTS)
  (transport === 'sftp' ? needsSshd() : needs()).describe(`pipeline over ${transport}: watched folder -> hub -> SDI states`, () => {
    it('delivers the official samples and a PDF once each, with notifications', async () => {
      const h = (harness = await startHarness({ transport }));
      for (const sample of distinctSamples()) await writeFile(join(h.dropDir, sample.name), sample.bytes);
      await writeFile(join(h.dropDir, 'fattura-0042.pdf'), makePdf('Fattura 42 del 2026'));

      const expected: Record<string, string> = {
        'IT01234567890_FPA01.xml': 'accepted', // FPA12: RC then NE EC01
        'IT01234567890_FPA02.xml': 'accepted',
        'IT01234567890_FPR01.xml': 'delivered', // FPR12 with a 7-char code: RC
        'fattura-0042.pdf': 'delivered',
      };
      for (const [name, state] of Object.entries(expected)) {
        const document = await waitFor(`${name} captured`, () => byName(h, name));
        await h.waitForState(document.id, state as 'accepted' | 'delivered');
      }

      const atHub = h.hub.listDocuments();
      expect(atHub).toHaveLength(4);
      expect(new Set(atHub.map((d) => d.idempotencyKey)).size).toBe(4);
      for (const document of h.agent.documents({ limit: 500 }).documents) {
        expect(atHub.filter((d) => d.idempotencyKey === document.id)).toHaveLength(1);
        expect(document.hubId).toBeTruthy();
      }

      // The FPR12 sample has its RC notification downloaded and recorded, with an SDI id.
      const fpr = h.agent.document(byName(h, 'IT01234567890_FPR01.xml')!.id)!;
      expect(fpr.sdiId).toMatch(/^\d{1,12}$/);
      expect(fpr.files.some((f) => /_RC_\w{1,3}\.xml$/.test(f.name))).toBe(true);
      const rc = fpr.files.find((f) => /_RC_/.test(f.name))!;
      expect((await h.agent.file(fpr.id, rc.name))!.toString('utf8')).toContain('RicevutaConsegna');
      // The PA sample also carries its NE (EC01) notification.
      const fpa = h.agent.document(byName(h, 'IT01234567890_FPA01.xml')!.id)!;
      expect(fpa.files.some((f) => /_NE_\w{1,3}\.xml$/.test(f.name))).toBe(true);
      // History: captured -> sending -> received ... -> final, all in the hash-chained log.
      expect(fpa.events.map((e) => e.state)).toEqual(expect.arrayContaining(['queued', 'sending', 'received', 'sent', 'delivered', 'accepted']));
      expect(h.agent.verifyAudit().ok).toBe(true);

      // Post-action: the drop folder is empty, the originals are in sent/.
      await waitFor('drop folder emptied', async () => (await readdir(h.dropDir)).filter((n) => n !== 'sent' && n !== 'errors').length === 0);
      expect((await readdir(join(h.dropDir, 'sent'))).sort()).toEqual(Object.keys(expected).sort());
    });

    it('marks the same bytes dropped again as a duplicate, not sent again until retried', async () => {
      const h = (harness = await startHarness({ transport }));
      const pdf = makePdf('Fattura 7');
      await writeFile(join(h.dropDir, 'a.pdf'), pdf);
      const first = await waitFor('first capture', () => byName(h, 'a.pdf'));
      await h.waitForState(first.id, 'delivered');
      await writeFile(join(h.dropDir, 'a-again.pdf'), pdf);
      const second = await waitFor('second capture', () => byName(h, 'a-again.pdf'));
      expect(second.state).toBe('duplicate');
      expect(second.duplicateOf).toBe(first.id);
      expect(second.reason).toContain('a.pdf');
      await waitFor('duplicate moved to errors/', async () =>
        (await readdir(join(h.dropDir, 'errors')).catch(() => [] as string[])).includes('a-again.pdf.error.txt'),
      );
      expect(h.hub.listDocuments()).toHaveLength(1);

      // The user asks to send it anyway.
      h.agent.retry(second.id);
      await h.waitForState(second.id, 'delivered');
      expect(h.hub.listDocuments()).toHaveLength(2);
    });
  });
