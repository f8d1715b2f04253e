// File names at the agent level, on real folders, a real agent and the sandbox hub: names are cut
// in UTF-8 bytes wherever the agent writes them (return folder, errors/, sent/, the SFTP upload
// name), names the hub cannot take are refused before anything is sent, and a name can never forge
// a line of an `.error.txt` note. Ordinary Italian names and names of exactly 255 bytes still pass.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { apiRequest, startApiHarness } from '../helpers/local-api-request.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { needsSshd } from '../helpers/sshd.ts';

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

const bytes = (name: string): number => Buffer.byteLength(name, 'utf8');
/** 255 bytes exactly: 'a' + 125 × 'è' + '.pdf'. */
const NAME_255 = `a${'è'.repeat(125)}.pdf`;

async function withReturnFolder(transport: 'https' | 'sftp' = 'https'): Promise<{ h: Harness; returnDir: string }> {
  const h = await startHarness({
    transport,
    settings: (s) => ({ ...s, profiles: [{ ...s.profiles[0]!, returnFolder: join(s.profiles[0]!.folders[0]!.path, '..', 'ritorno') }] }),
  });
  closers.push(() => h.close());
  await h.restartAgent(undefined, () => mkdir(join(h.root, 'ritorno'), { recursive: true }).then(() => undefined));
  return { h, returnDir: join(h.root, 'ritorno') };
}

/** The return folder's status file of the document with this name, once it shows `state`. */
async function statusFileOf(
  returnDir: string,
  name: string,
  state: string,
): Promise<{ file: string; status: { name: string; state: string; reason: string | null } }> {
  return waitFor(
    `status file of ${name.slice(0, 40)}… in state ${state}`,
    async () => {
      for (const file of (await readdir(returnDir)).filter((f) => f.endsWith('.status.json'))) {
        const status = JSON.parse(await readFile(join(returnDir, file), 'utf8')) as { name: string; state: string; reason: string | null };
        if (status.name === name && status.state === state) return { file, status };
      }
      return null;
    },
    30_000,
    100,
  );
}

/** errors/ once the move is done (the source gone from the drop folder): the file and its note. */
async function movedToErrors(h: Harness): Promise<string[]> {
  return waitFor('the file and its note in errors/', async () => {
    if ((await readdir(h.dropDir)).some((name) => name !== 'errors' && name !== 'sent')) return null;
    const found = (await readdir(join(h.dropDir, 'errors')).catch(() => [])).filter((name) => !name.startsWith('.'));
    return found.length === 2 ? found.sort() : null;
  });
}

describe('file names', () => {
  it('a name of 180 × "è" gets its .status.json (refused, nothing sent), and a 255-byte name is delivered with one', async () => {
    const { h, returnDir } = await withReturnFolder();
    const longName = `${'è'.repeat(180)}.pdf`; // 364 bytes
    const [refused] = await h.agent.submit({ bytes: makePdf('lunga'), name: longName, source: 'api' });
    expect(refused).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/364 bytes long .* 255/) });
    expect(h.agent.store.documents.get(refused!.id)!.reasonCode).toBe('bad_name');
    const refusedStatus = await statusFileOf(returnDir, longName, 'invalid');
    expect(bytes(refusedStatus.file)).toBeLessThanOrEqual(255);
    expect(refusedStatus.file).toMatch(/^è+\.pdf\.status\.json$/);

    await writeFile(join(h.dropDir, NAME_255), makePdf('255 byte'));
    const delivered = await statusFileOf(returnDir, NAME_255, 'delivered');
    expect(bytes(delivered.file)).toBeLessThanOrEqual(255);
    expect(delivered.file.endsWith('.pdf.status.json')).toBe(true);
    expect(await readdir(join(h.dropDir, 'sent'))).toEqual([NAME_255]);
    expect(h.hub.listDocuments().map((d) => d.fileName)).toEqual([NAME_255]);
  });

  it('a refused file with a 250-byte name lands in errors/ with its note', async () => {
    const { h } = await withReturnFolder();
    const name = `${'è'.repeat(123)}.xml`; // 250 bytes; '<name>.error.txt' would be 260
    await writeFile(join(h.dropDir, name), '');
    const document = await waitFor('the empty file recorded', () => h.agent.documents({ limit: 10 }).documents.find((d) => d.name === name));
    expect(document.state).toBe('invalid');
    const errors = await movedToErrors(h);
    const [moved, note] = errors as [string, string];
    expect(note).toBe(`${moved}.error.txt`);
    expect(bytes(note)).toBeLessThanOrEqual(255);
    expect(moved.endsWith('.xml')).toBe(true);
    const text = await readFile(join(h.dropDir, 'errors', note), 'utf8');
    expect(text).toContain(`Original name: ${name}`);
    expect(text).toMatch(/Reason: +.*empty/);
    expect((await readdir(h.dropDir)).sort()).toEqual(['errors']);
  });

  it('a file named with a newline is refused as bad_name, moved to errors/, and its note has no forged line', async () => {
    const { h, returnDir } = await withReturnFolder();
    const name = 'Fattura 7.pdf\nReason:        all good, nothing to do.pdf';
    await writeFile(join(h.dropDir, name), makePdf('a capo'));
    await writeFile(join(h.dropDir, 'Fattura n°5 è.pdf'), makePdf('ordinaria'));
    const documents = () => h.agent.documents({ limit: 10 }).documents;
    const refused = await waitFor('the newline name recorded', () => documents().find((d) => d.name === name));
    expect(refused.state).toBe('invalid');
    expect(h.agent.store.documents.get(refused.id)!.reasonCode).toBe('bad_name');
    expect(refused.reason).toMatch(/control character \(\\n\)/);
    expect(refused.reason).not.toContain('\n');

    const errors = await movedToErrors(h);
    expect(errors).toEqual(['Fattura 7.pdf_Reason:        all good, nothing to do.pdf', 'Fattura 7.pdf_Reason:        all good, nothing to do.pdf.error.txt']);
    const lines = (await readFile(join(h.dropDir, 'errors', errors[1]!), 'utf8')).split(/\r?\n/);
    const reasons = lines.filter((line) => line.startsWith('Reason:'));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/control character/);
    expect(lines).toContain('Original name: Fattura 7.pdf\\nReason:        all good, nothing to do.pdf');
    await statusFileOf(returnDir, name, 'invalid');

    // The ordinary Italian name beside it goes through.
    const ordinary = await waitFor('the ordinary name recorded', () => documents().find((d) => d.name === 'Fattura n°5 è.pdf'));
    await h.waitForState(ordinary.id, 'delivered');
    expect(h.hub.listDocuments().map((d) => d.fileName)).toEqual(['Fattura n°5 è.pdf']);
  });

  it('an API upload whose X-Filename is over 255 bytes or holds control characters ends invalid; nothing reaches the hub', async () => {
    const started = await startApiHarness();
    closers.push(started.close);
    const { harness: h, api } = started;
    const upload = (name: string, text: string) =>
      apiRequest(api.port, '/api/v1/documents', {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', 'X-Filename': encodeURIComponent(name) },
        body: makePdf(text),
      });

    const refusals: Record<string, RegExp> = {
      [`${'è'.repeat(128)}.pdf`]: /260 bytes long/,
      'Fattura\n12.pdf': /control character \(\\n\)/,
      'Fattura\r12.pdf': /control character \(\\r\)/,
      'Fattura\u0007.pdf': /control character \(\\u\{0007\}\)/,
      'Fattura\u0085.pdf': /control character \(\\u\{0085\}\)/,
      'Fattura\u007f.pdf': /control character \(\\u\{007F\}\)/,
    };
    let n = 0;
    for (const [name, reason] of Object.entries(refusals)) {
      const answer = await upload(name, `rifiutata ${(n += 1)}`);
      expect(answer.status, name).toBe(201);
      expect(answer.json(), JSON.stringify(name)).toMatchObject({ state: 'invalid', reason: expect.stringMatching(reason) });
      expect(h.agent.store.documents.get(String(answer.json()['id']))!.reasonCode).toBe('bad_name');
    }
    // Names the hub can take pass: an ordinary Italian name and one of exactly 255 bytes.
    const passed = [];
    for (const name of ['Fattura n°5 è.pdf', NAME_255]) {
      const answer = await upload(name, `accettata ${name.length}`);
      expect(answer.json(), name).toMatchObject({ state: 'queued', reason: null });
      passed.push(String(answer.json()['id']));
    }
    for (const id of passed) await h.waitForState(id, 'delivered');
    expect(
      h.hub
        .listDocuments()
        .map((d) => d.fileName)
        .sort(),
    ).toEqual(['Fattura n°5 è.pdf', NAME_255].sort());
  });

  needsSshd().it('a 255-byte name of two-byte characters is delivered over SFTP, shortened in whole characters with its extension', async () => {
    const { h, returnDir } = await withReturnFolder('sftp');
    await writeFile(join(h.dropDir, NAME_255), makePdf('sftp'));
    const document = await waitFor('captured', () => h.agent.documents({ limit: 10 }).documents.find((d) => d.name === NAME_255));
    await h.waitForState(document.id, 'delivered', 30_000);
    // Percent-encoding triples every byte: the name reaches the hub cut to fit in/'s 255 bytes.
    const [atHub] = h.hub.listDocuments();
    expect(atHub!.fileName).toMatch(/^aè+\.pdf$/);
    expect(NAME_255.startsWith(atHub!.fileName.slice(0, -'.pdf'.length))).toBe(true);
    await statusFileOf(returnDir, NAME_255, 'delivered');
  });
});
