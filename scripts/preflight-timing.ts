// Quick local timing of preflight (not a test): a typical invoice and a 1,000-line one, the whole
// preflight and SDI's content rules alone, on an already parsed tree (parsing is not counted).
// Run: scripts/with-node.sh node scripts/preflight-timing.ts
import { readFileSync } from 'node:fs';
import { parseXml } from '../src/core/xml/safe-xml.ts';
import { preflightFatturaPa } from '../src/core/inspect/preflight/preflight.ts';
import { checkContent } from '../src/core/inspect/preflight/content/content-check.ts';

const sample = readFileSync(new URL('../test/fixtures/fatturapa/IT01234567890_FPR01.xml', import.meta.url), 'utf8')
  .replace('<IdCodice>01234567890</IdCodice>\n        </IdFiscaleIVA>\n        <Anagrafica>\n          <Denominazione>SOCIETA', '<IdCodice>01234567897</IdCodice>\n        </IdFiscaleIVA>\n        <Anagrafica>\n          <Denominazione>SOCIETA');

function withLines(count: number): string {
  const lines = Array.from({ length: count }, (_, index) => `<DettaglioLinee><NumeroLinea>${index + 1}</NumeroLinea><Descrizione>RIGA ${index + 1}</Descrizione><Quantita>3.00</Quantita><PrezzoUnitario>0.33333333</PrezzoUnitario><ScontoMaggiorazione><Tipo>SC</Tipo><Percentuale>10.00</Percentuale></ScontoMaggiorazione><PrezzoTotale>0.90</PrezzoTotale><AliquotaIVA>22.00</AliquotaIVA></DettaglioLinee>`).join('');
  const taxable = (0.9 * count).toFixed(2);
  const tax = ((0.9 * count * 22) / 100).toFixed(2);
  return sample.replace(/<DettaglioLinee>[\s\S]*<\/DatiRiepilogo>/, `${lines}<DatiRiepilogo><AliquotaIVA>22.00</AliquotaIVA><ImponibileImporto>${taxable}</ImponibileImporto><Imposta>${tax}</Imposta><EsigibilitaIVA>I</EsigibilitaIVA></DatiRiepilogo>`);
}

/** CPU time, median and best of 15 batches: on a shared machine the best is the cost, the median the weather. */
function time(label: string, run: () => unknown, rounds: number): void {
  for (let index = 0; index < Math.min(rounds, 50); index += 1) run();
  const batches: number[] = [];
  for (let batch = 0; batch < 15; batch += 1) {
    // CPU time of this process: less disturbed than wall time by other work on the machine.
    const start = process.cpuUsage();
    for (let index = 0; index < rounds; index += 1) run();
    const used = process.cpuUsage(start);
    batches.push((used.user + used.system) / 1000 / rounds);
  }
  batches.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} median ${batches[7]?.toFixed(3)} ms, best ${batches[0]?.toFixed(3)} ms`);
}

const context = { fileName: 'IT01234567890_00001.xml', history: null, today: '2025-06-16' };
for (const [label, xml, rounds] of [['typical invoice (FPR01, 1 line)', sample, 500], ['1,000 lines with discounts', withLines(1000), 10]] as const) {
  const root = parseXml(xml);
  const issues = preflightFatturaPa(root, { ...context, size: xml.length });
  if (issues.some((issue) => issue.severity === 'error')) throw new Error(`${label}: ${issues.map((issue) => issue.code).join(', ')}`);
  time(`${label}: whole preflight`, () => preflightFatturaPa(root, { ...context, size: xml.length }), rounds);
  time(`${label}: content rules only`, () => checkContent(root, '2025-06-16'), rounds);
}
