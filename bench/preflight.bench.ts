// The preflight part (issue 12): what preflight costs per invoice, on a typical invoice (the official
// FPR01 sample) and on a 1,000-line invoice, against a baseline measured in the same run on the same
// bytes: parsing them with the agent's XML parser alone (safe-xml), which every capture of an XML
// invoice does anyway. Preflight runs on the parsed tree, as capture runs it (inspect-invoice.ts);
// "parse + preflight" is the whole cost from bytes (preflightFatturaPaXml). SDI's content rules
// alone (content/) are shown too. CPU time of this process, in batches: the best batch is the cost,
// the median says how noisy the machine was. No child process, about 15 s.
import { readFileSync } from 'node:fs';
import { parseXml } from '../src/core/xml/safe-xml.ts';
import { preflightFatturaPa } from '../src/core/inspect/preflight/preflight.ts';
import { preflightFatturaPaXml } from '../src/core/inspect/preflight/preflight-file.ts';
import { checkContent } from '../src/core/inspect/preflight/content/content-check.ts';
import type { PreflightIssue } from '../src/contract/invoice.ts';
import { startNoiseMeter } from './lib/process-cpu.ts';

/** Issue 12's targets: preflight under 1 ms for a typical invoice, under 20 ms for 1,000 lines. */
export const PREFLIGHT_TARGETS = { typicalMs: 1, thousandLinesMs: 20 } as const;
/** Batches per measurement; each batch runs the operation enough times to last about BATCH_MS. */
const BATCHES = 15;
const BATCH_MS = 60;
/** The day preflight takes as "today" (after the sample's date), so the run never ages. */
const TODAY = '2025-06-16';
const FILE_NAME = 'IT01234567890_00001.xml';

export interface CpuTiming {
  /** CPU milliseconds per run: the best batch (the cost) and the median batch (the weather). */
  bestMs: number;
  medianMs: number;
  runsPerBatch: number;
  batches: number;
}

export interface PreflightInvoiceResult {
  label: string;
  bytes: number;
  lines: number;
  /** What preflight found: warnings only (an error would mean the input is not the valid invoice it should be). */
  issues: string[];
  /** The baseline: parsing the bytes with safe-xml alone. */
  parse: CpuTiming;
  /** Preflight on the parsed tree, as capture runs it: what the target is about. */
  preflight: CpuTiming;
  /** SDI's content rules alone (part of preflight). */
  contentRules: CpuTiming;
  /** From bytes: parse and preflight (preflightFatturaPaXml). */
  parseAndPreflight: CpuTiming;
  /** Preflight ÷ parse, best batches. */
  ratioToParse: number;
  target: { maxMs: number; met: boolean };
}

export interface PreflightMeasurement {
  /** The first preflight in a process compiles the FatturaPA XSD: wall milliseconds, once. */
  firstPreflightMs: number;
  invoices: PreflightInvoiceResult[];
  /** Cores other processes kept busy during the measurements (0 = quiet). */
  noiseCores: number | null;
}

/** The official FPR01 sample with a seller VAT number that passes its check digit (as an ERP's would). */
export function typicalInvoice(): string {
  const sample = readFileSync(new URL('../test/fixtures/fatturapa/IT01234567890_FPR01.xml', import.meta.url), 'utf8');
  const seller = '<IdCodice>01234567890</IdCodice>\n        </IdFiscaleIVA>\n        <Anagrafica>\n          <Denominazione>SOCIETA';
  if (!sample.includes(seller)) throw new Error('the FPR01 sample changed: update bench/preflight.bench.ts');
  return sample.replace(seller, seller.replace('01234567890', '01234567897'));
}

/**
 * The same invoice with `count` lines, each with an 8-decimal unit price and a 10% discount (the
 * slowest arithmetic preflight does), and one VAT summary that adds up.
 */
export function invoiceWithLines(count: number): string {
  const lines = Array.from(
    { length: count },
    (_, index) =>
      `<DettaglioLinee><NumeroLinea>${index + 1}</NumeroLinea><Descrizione>RIGA ${index + 1}</Descrizione><Quantita>3.00</Quantita>` +
      '<PrezzoUnitario>0.33333333</PrezzoUnitario><ScontoMaggiorazione><Tipo>SC</Tipo><Percentuale>10.00</Percentuale></ScontoMaggiorazione>' +
      '<PrezzoTotale>0.90</PrezzoTotale><AliquotaIVA>22.00</AliquotaIVA></DettaglioLinee>',
  ).join('');
  const taxable = (0.9 * count).toFixed(2);
  const tax = ((0.9 * count * 22) / 100).toFixed(2);
  const summary = `<DatiRiepilogo><AliquotaIVA>22.00</AliquotaIVA><ImponibileImporto>${taxable}</ImponibileImporto><Imposta>${tax}</Imposta><EsigibilitaIVA>I</EsigibilitaIVA></DatiRiepilogo>`;
  return typicalInvoice().replace(/<DettaglioLinee>[\s\S]*<\/DatiRiepilogo>/, `${lines}${summary}`);
}

function cpuMs(run: () => unknown, times: number): number {
  const start = process.cpuUsage();
  for (let index = 0; index < times; index += 1) run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** CPU time per run of `run`, in BATCHES batches of as many runs as fill about BATCH_MS each. */
export function timeCpu(run: () => unknown): CpuTiming {
  // Warm up (JIT, caches) and size the batches on what one run costs once warm.
  let runs = 1;
  while (cpuMs(run, runs) < BATCH_MS / 4 && runs < 1_000_000) runs *= 2;
  const perRun = cpuMs(run, runs) / runs;
  const runsPerBatch = Math.max(1, Math.round(BATCH_MS / Math.max(perRun, 0.000_1)));
  const batches = Array.from({ length: BATCHES }, () => cpuMs(run, runsPerBatch) / runsPerBatch).sort((a, b) => a - b);
  return { bestMs: batches[0] ?? 0, medianMs: batches[Math.floor(BATCHES / 2)] ?? 0, runsPerBatch, batches: BATCHES };
}

function describe(issues: PreflightIssue[]): string[] {
  return issues.map((issue) => `${issue.severity} ${issue.code}`);
}

function measureInvoice(label: string, xml: string, maxMs: number): PreflightInvoiceResult {
  const bytes = Buffer.from(xml, 'utf8');
  const context = { fileName: FILE_NAME, size: bytes.byteLength, history: null, today: TODAY };
  const root = parseXml(bytes);
  const issues = preflightFatturaPa(root, context);
  if (issues.some((issue) => issue.severity === 'error'))
    throw new Error(`${label}: preflight finds errors in the bench invoice: ${describe(issues).join(', ')}`);
  const parse = timeCpu(() => parseXml(bytes));
  const preflight = timeCpu(() => preflightFatturaPa(root, context));
  const contentRules = timeCpu(() => checkContent(root, TODAY));
  const parseAndPreflight = timeCpu(() => preflightFatturaPaXml(bytes, context));
  return {
    label,
    bytes: bytes.byteLength,
    lines: (xml.match(/<DettaglioLinee>/g) ?? []).length,
    issues: describe(issues),
    parse,
    preflight,
    contentRules,
    parseAndPreflight,
    ratioToParse: preflight.bestMs / parse.bestMs,
    target: { maxMs, met: preflight.bestMs < maxMs },
  };
}

export function measurePreflight(log: (line: string) => void): PreflightMeasurement {
  const typical = typicalInvoice();
  const thousand = invoiceWithLines(1000);
  // The first preflight of the process compiles the XSD (schema/xsd-compiler.ts), once.
  const firstStarted = performance.now();
  preflightFatturaPa(parseXml(typical), { fileName: FILE_NAME, size: typical.length, history: null, today: TODAY });
  const firstPreflightMs = performance.now() - firstStarted;
  const noise = startNoiseMeter([]);
  log('preflight: a typical invoice (FPR01, 1 line)');
  const first = measureInvoice('typical invoice (FPR01, 1 line)', typical, PREFLIGHT_TARGETS.typicalMs);
  log('preflight: 1,000 lines with 8-decimal prices and discounts');
  const second = measureInvoice('1,000 lines with discounts', thousand, PREFLIGHT_TARGETS.thousandLinesMs);
  return { firstPreflightMs, invoices: [first, second], noiseCores: noise.stop() };
}
