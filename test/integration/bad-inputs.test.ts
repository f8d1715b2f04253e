// Bad inputs each end in a visible state with a clear reason; the agent keeps running; nothing
// is lost (every file is either in sent/ or in errors/ with a reason beside it).
import { afterEach, describe, expect, it } from 'vitest';
import { open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makePdf, makeZip } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { sha256Hex } from '../../src/core/store/spool.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<FatturaElettronica>&lol3;</FatturaElettronica>`;
const externalEntity = `<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<p:FatturaElettronica xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2" versione="FPR12">&xxe;</p:FatturaElettronica>`;

describe('bad inputs', () => {
  it('each bad file ends invalid with a clear reason in errors/, and the agent keeps going', async () => {
    const h = (harness = await startHarness({ settings: (s) => ({ ...s, intake: { ...s.intake, maxFileBytes: 256 * 1024 } }) }));
    const good = makePdf('good invoice');
    const bomb = await makeZip([{ name: 'bomb.xml', data: Buffer.alloc(40 * 1024 * 1024, 0x20) }]);
    const traversal = await makeZip([{ name: 'xx/evil.xml', data: Buffer.from('<a/>') }]);
    // yazl refuses "../" names: patch them into the archive bytes (same length, both headers).
    const traversalBytes = Buffer.from(traversal.toString('latin1').replaceAll('xx/evil.xml', '../evil.xml'), 'latin1');

    const cases: Record<string, { bytes: Buffer; code: RegExp; reason: RegExp }> = {
      'empty.xml': { bytes: Buffer.alloc(0), code: /^empty$/, reason: /empty/i },
      'truncated.pdf': { bytes: good.subarray(0, Math.floor(good.length / 2)), code: /pdf_truncated/, reason: /truncated/i },
      'not-a-pdf.pdf': { bytes: Buffer.from('Gentile cliente, in allegato la fattura.\n'), code: /unsupported_type/, reason: /not a PDF/i },
      'huge.pdf': {
        bytes: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(300 * 1024, 0x41), Buffer.from('\n%%EOF\n')]),
        code: /too_large/,
        reason: /over the .* limit/,
      },
      'bomb.zip': { bytes: bomb, code: /zip_bomb|zip_too_large/, reason: /./ },
      'traversal.zip': { bytes: traversalBytes, code: /zip_path_traversal/, reason: /\.\.\/evil\.xml/ },
      'laughs.xml': { bytes: Buffer.from(billionLaughs), code: /xml_doctype/, reason: /DTD|DOCTYPE/ },
      'xxe.xml': { bytes: Buffer.from(externalEntity), code: /xml_doctype/, reason: /DTD|DOCTYPE/ },
      'note.xml': { bytes: Buffer.from('<note><to>Mario</to></note>'), code: /xml_not_fatturapa/, reason: /note/ },
    };
    for (const [name, { bytes }] of Object.entries(cases)) await writeFile(join(h.dropDir, name), bytes);
    await writeFile(join(h.dropDir, 'good.pdf'), good);

    const all = () => h.agent.documents({ limit: 500 }).documents;
    await waitFor('every file captured', () => Object.keys(cases).every((name) => all().some((d) => d.name === name)), 30_000);
    for (const [name, expected] of Object.entries(cases)) {
      const document = all().find((d) => d.name === name)!;
      const record = h.agent.store.documents.get(document.id)!;
      expect(document.state, name).toBe('invalid');
      expect(record.reasonCode, name).toMatch(expected.code);
      expect(document.reason, name).toMatch(expected.reason);
    }
    const goodDocument = await waitFor('good.pdf captured', () => all().find((d) => d.name === 'good.pdf'));
    await h.waitForState(goodDocument.id, 'delivered');

    // Every bad file sits in errors/ with its reason beside it; nothing was left in the drop folder.
    await waitFor('bad files moved', async () => (await readdir(h.dropDir)).filter((n) => !['sent', 'errors'].includes(n)).length === 0);
    const errors = await readdir(join(h.dropDir, 'errors'));
    for (const name of Object.keys(cases)) {
      expect(errors).toContain(name);
      const reason = await readFile(join(h.dropDir, 'errors', `${name}.error.txt`), 'utf8');
      expect(reason.length, name).toBeGreaterThan(10);
    }
    expect(h.hub.listDocuments().map((d) => d.fileName)).toEqual(['good.pdf']);
  });

  it('waits for a file that is still being written and takes it whole, once', async () => {
    // Pieces come every 50 ms, far inside the 2 s window: the test itself would have to stall 2 s between
    // two pieces (a busy machine) for the half-written file to count as complete.
    const h = (harness = await startHarness({ settings: (s) => ({ ...s, intake: { ...s.intake, stableWindowMs: 2000 } }) }));
    const full = makePdf('written slowly '.repeat(2000));
    const handle = await open(join(h.dropDir, 'slow.pdf'), 'w');
    const pieces = 12;
    const step = Math.ceil(full.length / pieces);
    for (let i = 0; i < pieces; i += 1) {
      await handle.write(full.subarray(i * step, (i + 1) * step));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await handle.close();
    const document = await waitFor('slow file captured', () => h.agent.documents({ limit: 10 }).documents.find((d) => d.name === 'slow.pdf'));
    await h.waitForState(document.id, 'delivered');
    expect(document.sha256).toBe(sha256Hex(full));
    expect(h.agent.documents({ limit: 10 }).documents).toHaveLength(1);
  });
});
