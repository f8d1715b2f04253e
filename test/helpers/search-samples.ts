// The official samples for the search tests (API and Chromium): as distinctSamples gives them,
// FPR01 with an ImportoTotaleDocumento none of the others carries, so an amount finds one invoice.
import { distinctSamples } from './fixtures.ts';

/** The official samples carry no ImportoTotaleDocumento: FPR01 gets one, an amount nothing else has. */
export function samplesWithTotal(total = '1234.50'): { name: string; bytes: Buffer }[] {
  return distinctSamples().map(({ name, bytes }) => {
    if (name !== 'IT01234567890_FPR01.xml') return { name, bytes };
    const xml = bytes.toString('utf8');
    const edited = xml.replace('<Numero>123</Numero>', `<Numero>123</Numero>\n        <ImportoTotaleDocumento>${total}</ImportoTotaleDocumento>`);
    if (edited === xml) throw new Error('FPR01 no longer holds invoice number 123');
    return { name, bytes: Buffer.from(edited, 'utf8') };
  });
}
