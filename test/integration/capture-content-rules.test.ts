// SDI's content rules at capture: the invoices of issue 12 (each valid against the XSD, each
// breaking one content rule SDI refuses with an NS receipt) end `invalid` with the SDI code, before
// the hub sees them; the official sample they were made from is still sent. Through the real agent,
// worker pool, store and sandbox hub.
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { DOC, GOODS, fpr01, withBuyerVat } from '../helpers/preflight-content.ts';
import type { InvoiceEdit } from '../helpers/fatturapa-edit.ts';
import type { PreflightIssue } from '../../src/contract/invoice.ts';
import { romeDate } from '../../src/core/inspect/preflight/content/rome-date.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const LINE = `${GOODS}/DettaglioLinee`;
const SUMMARY = `${GOODS}/DatiRiepilogo`;

/** FPR01 numbered `number` (each file its own invoice), then `edit`. */
function invoice(number: number, edit: (invoice: InvoiceEdit) => InvoiceEdit): string {
  return edit(fpr01().set(`${DOC}/Numero`, String(number))).toString();
}

const CASES: { name: string; sdi: string; xml: string }[] = [
  { name: 'natura.xml', sdi: '00400', xml: invoice(201, (i) => i.set(`${LINE}/AliquotaIVA`, '0.00').set(`${SUMMARY}/AliquotaIVA`, '0.00').set(`${SUMMARY}/Imposta`, '0.00')) },
  { name: 'imposta.xml', sdi: '00421', xml: invoice(202, (i) => i.set(`${SUMMARY}/Imposta`, '3.10')) },
  { name: 'data.xml', sdi: '00403', xml: invoice(203, (i) => i.set(`${DOC}/Data`, romeDate(new Date(Date.now() + 3 * 86_400_000)))) },
  { name: 'prezzo.xml', sdi: '00423', xml: invoice(204, (i) => i.set(`${LINE}/PrezzoTotale`, '3.10').set(`${SUMMARY}/ImponibileImporto`, '3.10').set(`${SUMMARY}/Imposta`, '0.68')) },
  { name: 'imponibile.xml', sdi: '00422', xml: invoice(205, (i) => i.set(`${SUMMARY}/ImponibileImporto`, '25.00').set(`${SUMMARY}/Imposta`, '5.50')) },
  { name: 'numero.xml', sdi: '00425', xml: invoice(206, (i) => i.set(`${DOC}/Numero`, 'ABC')) },
  { name: 'riepilogo.xml', sdi: '00419', xml: invoice(207, (i) => i.duplicate(LINE, (copy) => { copy.children.find((child) => child.local === 'AliquotaIVA')!.text = '10.00'; })) },
  { name: 'ritenuta.xml', sdi: '00411', xml: invoice(208, (i) => i.set(`${LINE}/Ritenuta`, 'SI', { after: ['AliquotaIVA'] })) },
  { name: 'td18.xml', sdi: '00473', xml: invoice(209, (i) => withBuyerVat(i).set(`${DOC}/TipoDocumento`, 'TD18')) },
];

describe('capture refuses what SDI would refuse for its content', () => {
  it('each invoice of the issue ends invalid with its SDI code; the sample is sent', async () => {
    const h = (harness = await startHarness());
    await writeFile(join(h.dropDir, 'buona.xml'), invoice(200, (i) => i));
    for (const { name, xml } of CASES) await writeFile(join(h.dropDir, name), xml);

    for (const { name, sdi } of CASES) {
      const document = await waitFor(`${name} captured`, () => h.agent.documents({}).documents.find((d) => d.name === name && d.state !== 'received'));
      expect(document.state, name).toBe('invalid');
      const preflight = h.agent.document(document.id)!.metadata['preflight'] as PreflightIssue[];
      // The rate 0 without Natura is on the line (00400) and on its summary (00429).
      expect(preflight.filter((issue) => issue.severity === 'error').map((issue) => issue.sdiCode), name).toEqual(sdi === '00400' ? ['00400', '00429'] : [sdi]);
      expect(document.reason, name).toContain(`(error ${sdi})`);
    }
    await waitFor('prezzo.xml moved to errors/ with the reason', async () => (await readdir(join(h.dropDir, 'errors')).catch(() => [] as string[])).includes('prezzo.xml.error.txt'));
    expect(await readFile(join(h.dropDir, 'errors', 'prezzo.xml.error.txt'), 'utf8')).toContain('expected 5.00, found 3.10');

    const good = await waitFor('buona.xml captured', () => h.agent.documents({}).documents.find((d) => d.name === 'buona.xml'));
    await h.waitForState(good.id, 'delivered');
    expect(h.hub.listDocuments()).toHaveLength(1);
  });
});
