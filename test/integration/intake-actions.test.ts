// Post-actions and batches at the agent level: delete, leave (never captured twice, not even
// across restarts), several folders per profile, and a ZIP batch expanded into its invoices.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { FATTURAPA_SAMPLES, distinctSamples, makePdf, makeZip } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('intake post-actions and batches', () => {
  it('delete removes the source after capture; leave keeps it and never captures it twice', async () => {
    const h = (harness = await startHarness({
      settings: (s) => ({
        ...s,
        profiles: [
          {
            ...s.profiles[0]!,
            folders: [
              { path: join(s.profiles[0]!.folders[0]!.path, '..', 'delete-me'), postAction: 'delete', usePolling: false },
              { path: join(s.profiles[0]!.folders[0]!.path, '..', 'leave-me'), postAction: 'leave', usePolling: true },
            ],
          },
        ],
      }),
    }));
    await h.restartAgent(undefined, async () => {
      await mkdir(join(h.root, 'delete-me'), { recursive: true });
      await mkdir(join(h.root, 'leave-me'), { recursive: true });
    });
    await writeFile(join(h.root, 'delete-me', 'd.pdf'), makePdf('to delete'));
    await writeFile(join(h.root, 'leave-me', 'l.pdf'), makePdf('to leave'));
    const all = () => h.agent.documents({ limit: 50 }).documents;
    const deleted = await waitFor('d.pdf', () => all().find((d) => d.name === 'd.pdf'));
    const left = await waitFor('l.pdf', () => all().find((d) => d.name === 'l.pdf'));
    await h.waitForState(deleted.id, 'delivered');
    await h.waitForState(left.id, 'delivered');
    await waitFor('d.pdf removed', async () => !(await readdir(join(h.root, 'delete-me'))).includes('d.pdf'));
    expect(await readdir(join(h.root, 'leave-me'))).toEqual(['l.pdf']);

    // Rescans (every second here) and a restart do not capture the left file again. Nothing signals a
    // rescan, so two periods of them pass (fewer on a busy machine: less proven, never a wrong failure).
    await pause(2500);
    await h.restartAgent();
    // The restarted watcher lists l.pdf at start; a file dropped after that is captured only once l.pdf
    // has been looked at (same order, same stability window).
    await writeFile(join(h.root, 'leave-me', 'after-restart.pdf'), makePdf('after the restart'));
    await waitFor('after-restart.pdf captured', () => all().some((d) => d.name === 'after-restart.pdf'));
    expect(all().filter((d) => d.name === 'l.pdf')).toHaveLength(1);
    expect(h.hub.listDocuments().filter((d) => d.fileName === 'l.pdf')).toHaveLength(1);

    // A changed file in a 'leave' folder is a new version: captured again.
    await writeFile(join(h.root, 'leave-me', 'l.pdf'), makePdf('to leave, corrected'));
    await waitFor('new version captured', () => all().filter((d) => d.name === 'l.pdf').length === 2);

    // A refused file in a 'leave' folder is recorded as invalid but stays where the ERP put it.
    await writeFile(join(h.root, 'leave-me', 'empty.xml'), '');
    const refused = await waitFor('empty.xml recorded', () => all().find((d) => d.name === 'empty.xml'));
    expect(refused.state).toBe('invalid');
    // Recorded with its intake row, which stays pending until the post-action has run.
    await waitFor('the post-action done', () => h.agent.store.intake.pendingForPath(join(h.root, 'leave-me', 'empty.xml')).length === 0);
    expect((await readdir(join(h.root, 'leave-me'))).sort()).toEqual(['after-restart.pdf', 'empty.xml', 'l.pdf']);
    expect(all().filter((d) => d.name === 'empty.xml')).toHaveLength(1);
  });

  it('expands a ZIP batch into one document per invoice, each delivered once', async () => {
    const h = (harness = await startHarness());
    const batch = await makeZip([
      ...distinctSamples().map((sample) => ({ name: `lotto/${sample.name}`, data: sample.bytes })),
      { name: 'lotto/cortesia.pdf', data: makePdf('copia di cortesia') },
    ]);
    await writeFile(join(h.dropDir, 'lotto-novembre.zip'), batch);
    const documents = await waitFor('4 documents from the ZIP', () => {
      const found = h.agent.documents({ limit: 50 }).documents;
      return found.length === 4 ? found : null;
    });
    for (const document of documents) {
      const detail = h.agent.document(document.id)!;
      expect(detail.metadata['archive']).toBe('lotto-novembre.zip');
      expect(String(detail.metadata['entryPath'])).toMatch(/^lotto\//);
      await h.waitForState(document.id, document.name.includes('FPA') ? 'accepted' : 'delivered');
    }
    expect(documents.map((d) => d.name).sort()).toEqual([...FATTURAPA_SAMPLES, 'cortesia.pdf'].sort());
    expect(h.hub.listDocuments()).toHaveLength(4);
    expect(await readdir(join(h.dropDir, 'sent'))).toEqual(['lotto-novembre.zip']);
  });
});
