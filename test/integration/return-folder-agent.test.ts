// The ERP return channel, end to end: a delivered (RC), a rejected (NS) and a not-delivered (MC)
// invoice dropped into the watched folder each leave `<name>.status.json` with the state and an
// explanation, and the SDI notification file, in the profile's return folder.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { fixture } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

interface StatusFile {
  state: string;
  stateText: { it: string; en: string };
  sdiId: string | null;
  files: string[];
}

describe('return folder', () => {
  it('holds the status and the notifications of delivered, rejected and not-delivered invoices', async () => {
    const h = (harness = await startHarness({
      settings: (s) => ({ ...s, profiles: [{ ...s.profiles[0]!, returnFolder: join(s.profiles[0]!.folders[0]!.path, '..', 'ritorno') }] }),
    }));
    await h.restartAgent(undefined, async () => {
      await mkdir(join(h.root, 'ritorno'), { recursive: true });
    });
    const returnDir = join(h.root, 'ritorno');
    const sample = fixture('fatturapa', 'IT01234567890_FPR01.xml').toString('utf8');
    await writeFile(join(h.dropDir, 'consegnata.xml'), sample);
    // No channel and no PEC: SDI cannot deliver it (MC), it is in the buyer's cassetto fiscale.
    // Each file is its own invoice (preflight refuses the same number twice).
    const variant = (code: string, number: string) =>
      sample
        .replace('<CodiceDestinatario>ABC1234</CodiceDestinatario>', `<CodiceDestinatario>${code}</CodiceDestinatario>`)
        .replace('<Numero>123</Numero>', `<Numero>${number}</Numero>`);
    await writeFile(join(h.dropDir, 'mancata.xml'), variant('0000000', '124'));
    // The sandbox's magic recipient code NS + 5 digits: SDI rejects it (NS) with error 00311.
    await writeFile(join(h.dropDir, 'scartata.xml'), variant('NS00311', '125'));

    const expected: Record<string, { state: string; type: string; text: RegExp }> = {
      'consegnata.xml': { state: 'delivered', type: 'RC', text: /consegnat/i },
      'mancata.xml': { state: 'not_delivered', type: 'MC', text: /cassetto fiscale/i },
      'scartata.xml': { state: 'rejected', type: 'NS', text: /scart/i },
    };
    for (const [name, want] of Object.entries(expected)) {
      const status = await waitFor(
        `${name}.status.json in state ${want.state}`,
        async () => {
          const text = await readFile(join(returnDir, `${name}.status.json`), 'utf8').catch(() => null);
          const parsed = text ? (JSON.parse(text) as StatusFile) : null;
          return parsed?.state === want.state && parsed.files.some((f) => f.includes(`_${want.type}_`)) ? parsed : null;
        },
        30_000,
        100,
      );
      expect(status.stateText.it).toMatch(want.text);
      expect(status.stateText.en.length).toBeGreaterThan(10);
      expect(status.sdiId).toMatch(/^\d+$/);
    }
    // What the agent read and found travels to the ERP too.
    const delivered = JSON.parse(await readFile(join(returnDir, 'consegnata.xml.status.json'), 'utf8')) as StatusFile & {
      invoice: { number: string; buyer: string };
      preflight: { code: string }[];
    };
    expect(delivered.invoice).toMatchObject({ number: '123', buyer: 'DITTA BETA' });
    // The samples fail their check digits on purpose; 'consegnata.xml' is not an SDI file name.
    expect(delivered.preflight.map((issue) => issue.code).sort()).toEqual(['cf_check', 'file_name_not_sdi', 'vat_check_digit']);

    // Refused by preflight, never sent: the ERP learns why, in Italian, without asking the hub.
    await writeFile(join(h.dropDir, 'rifiutata.xml'), variant('ABC123', '126'));
    const refused = await waitFor(
      'rifiutata.xml.status.json',
      async () => {
        const text = await readFile(join(returnDir, 'rifiutata.xml.status.json'), 'utf8').catch(() => null);
        return text ? (JSON.parse(text) as StatusFile & { preflight: { severity: string; code: string; message: { it: string } }[] }) : null;
      },
      30_000,
      100,
    );
    expect(refused.state).toBe('invalid');
    expect(refused.preflight[0]).toMatchObject({ severity: 'error', code: 'recipient_code_format_mismatch' });
    expect(refused.preflight[0]!.message.it).toMatch(/CodiceDestinatario/);

    const files = await readdir(returnDir);
    for (const type of ['RC', 'MC', 'NS'])
      expect(
        files.some((f) => new RegExp(`_${type}_\\w+\\.xml$`).test(f)),
        type,
      ).toBe(true);
  });
});
