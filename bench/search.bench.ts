// Issue 17, "search that finds": GET /documents with `q` and the date filters at 100,000 documents,
// through the real local API of a real agent process (`recapito serve`). The store is filled first
// through the store's own repository (the same insert and FTS row as a capture, then the SDI id the
// status follower records), with varied, realistic invoice metadata: Italian company and person
// names with accents, VAT ids, fiscal codes, amounts, dates, a PDF every tenth document.
// Each query is timed from the client (HTTP on loopback, JSON of the first page of 50 included).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../src/core/store/store.ts';
import type { InvoiceReading, PdfGuess } from '../src/contract/invoice.ts';
import type { DocumentsPage } from '../src/contract/local-api.ts';
import { apiTarget } from '../src/cli/local-api-client.ts';
import { benchAgentSettings } from './pipeline.bench.ts';
import { prepareAgentDataDir, startAgentChild } from './lib/agent-child.ts';
import type { Cleanup } from './lib/cleanup.ts';
import type { HubChild } from './lib/hub-child.ts';
import { distribution, ratePerSecond, type Distribution } from './lib/stats.ts';

/** Issue 17's scale and target. */
export const DEFAULT_SEARCH_DOCUMENTS = 100_000;
export const SEARCH_TARGET_MS = 150;
/** Timed runs per query, after one warm-up. */
const RUNS = 25;

export interface SearchQueryResult {
  label: string;
  query: string;
  /** Documents matching (the first page holds up to 50 of them). */
  found: number;
  ms: Distribution;
  /** The quickest run: the cost when nothing else had the CPU (the machine is shared). */
  bestMs: number;
}

export interface SearchResult {
  documents: number;
  fillSeconds: number;
  /** Documents per second through DocumentRepository.insert + the SDI id transition (FTS rows included). */
  fillRate: number;
  storeBytes: number;
  queries: SearchQueryResult[];
  targetMs: number;
}

const COMPANIES = ['Ferramenta', 'Caffè', 'Società Agricola', 'Trasporti', 'Edilizia', 'Pasticceria', 'Studio Tecnico', 'Officina', 'Farmacia', 'Tipografia'];
const SURNAMES = [
  'Rossi',
  'Russo',
  'Ferrari',
  'Esposito',
  'Bianchi',
  'Romano',
  'Colombo',
  'Ricci',
  'Marino',
  'Greco',
  'Bruno',
  'Gallo',
  'Conti',
  'De Luca',
  'Mancini',
  'Costa',
  'Giordano',
  'Rizzo',
  'Lombardi',
  'Moretti',
  'Barbieri',
  'Fontana',
  'Santoro',
  'Mariani',
  'Rinaldi',
  'Caruso',
  'Ferrara',
  'Galli',
  'Martini',
  'Leone',
  'Longo',
  'Gentile',
  'Martinelli',
  'Vitale',
  'Lombardo',
  'Serra',
  'Coppola',
  'De Santis',
  "D'Angelo",
  'Marchetti',
  'Parisi',
  'Villa',
  'Conte',
  'Ferraro',
  'Ferri',
  'Fabbri',
  'Bianco',
  'Marini',
  'Grasso',
  'Valentini',
  'Messina',
  'Sala',
  'De Angelis',
  'Gatti',
  'Pellegrini',
  'Palumbo',
  'Sanna',
  'Farina',
  'Rizzi',
  'Monti',
  'Cattaneo',
  'Morelli',
  'Amato',
  'Silvestri',
  'Mazza',
  'Testa',
  'Grassi',
  'Pellegrino',
  'Carbone',
  'Giuliani',
  'Benedetti',
  'Barone',
  'Rossetti',
  'Caputo',
  'Montanari',
  'Guerra',
  'Palmieri',
  'Bernardi',
  'Martino',
  'Fiore',
  'De Rosa',
  'Ferretti',
  'Bellini',
  'Basile',
  'Riva',
  'Donati',
  'Piras',
  'Vitali',
  'Battaglia',
  'Sartori',
  'Neri',
  'Costantini',
  'Milani',
  'Pagano',
  'Ruggiero',
  'Sorrentino',
  "D'Amico",
  'Orlando',
  'Damico',
  'Negri',
  'Nicolò',
  'Fabbrì',
];
const FORMS = ['S.r.l.', 'S.p.A.', 'S.n.c.', 'S.a.s.', 'Srl', 'di Mario', 'e Figli'];
const FIRST = ['Mario', 'Giulia', 'Luca', 'Francesca', 'Andrea', 'Chiara', 'Niccolò', 'Élodie', 'Giuseppe', 'Anna'];

/** A deterministic generator: the same store every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

function digits(next: () => number, count: number): string {
  let text = '';
  for (let i = 0; i < count; i += 1) text += String(Math.floor(next() * 10));
  return text;
}

/** A seller with many invoices (a few dozen sellers, as one office sends for) and a buyer of thousands. */
function party(next: () => number, sellers: boolean): InvoiceReading['seller'] {
  const person = !sellers && next() < 0.2;
  const name = person ? `${pick(next, FIRST)} ${pick(next, SURNAMES)}` : `${pick(next, COMPANIES)} ${pick(next, SURNAMES)} ${pick(next, FORMS)}`;
  return {
    country: 'IT',
    vatNumber: digits(next, 11),
    fiscalCode: person ? `RSS${digits(next, 2)}A01H501${String.fromCharCode(65 + Math.floor(next() * 26))}` : null,
    name,
  };
}

export function fillSearchStore(file: string, count: number): { seconds: number; samples: { buyer: string; total: string; vat: string; sdiId: string } } {
  const next = random(17);
  const sellers = Array.from({ length: 40 }, () => party(next, true));
  const buyers = Array.from({ length: 8000 }, () => party(next, false));
  const store = new Store(file, 'bench-search');
  const started = performance.now();
  const start = Date.UTC(2024, 0, 1);
  const span = Date.UTC(2026, 11, 1) - start;
  let samples = { buyer: '', total: '', vat: '', sdiId: '' };
  try {
    const batch = 2000;
    for (let from = 0; from < count; from += batch) {
      store.transaction(() => {
        for (let index = from; index < Math.min(count, from + batch); index += 1) {
          const captured = new Date(start + Math.floor((index / count) * span));
          const date = new Date(captured.getTime() - Math.floor(next() * 20) * 86_400_000).toISOString().slice(0, 10);
          const cents = Math.floor(next() * 5_000_000) + 100;
          const total = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
          const seller = pick(next, sellers);
          const buyer = pick(next, buyers);
          const number = `${index % 7 === 0 ? 'FPR ' : ''}${index + 1}/${date.slice(0, 4)}`;
          const pdf = index % 10 === 9;
          const id = `0190${index.toString(16).padStart(4, '0').slice(-4)}-0000-7000-8000-${String(index).padStart(12, '0')}`;
          const metadata: Record<string, unknown> = pdf
            ? {
                pdfGuess: {
                  guessed: true,
                  number: String(index + 1),
                  date,
                  vatNumbers: [seller.vatNumber ?? '', buyer.vatNumber ?? ''],
                  total: total.replace('.', ',').replace(/\B(?=(\d{3})+(?!\d))/, '.'),
                  textChars: 900,
                } satisfies PdfGuess,
              }
            : {
                invoice: {
                  format: 'FPR12',
                  transmitter: { country: 'IT', id: seller.vatNumber },
                  progressivoInvio: index.toString(36).toUpperCase(),
                  codiceDestinatario: 'ABC1234',
                  pecDestinatario: null,
                  seller,
                  buyer,
                  bodies: [{ type: 'TD01', number, date, total, currency: 'EUR' }],
                  signed: null,
                } satisfies InvoiceReading,
                preflight: [],
              };
          const name = pdf
            ? `Fattura ${index + 1} ${buyer.name ?? ''}.pdf`
            : `IT${seller.vatNumber ?? ''}_${index.toString(36).toUpperCase().padStart(5, '0')}.xml`;
          store.documents.insert(
            {
              id,
              profile: 'main',
              source: 'folder',
              name,
              kind: pdf ? 'pdf' : 'fatturapa',
              size: 4000,
              sha256: index.toString(16).padStart(64, '0'),
              spooled: false,
              state: 'queued',
              metadata,
            },
            captured.toISOString(),
          );
          const sdiId = String(100_000_000 + index);
          store.documents.transition(
            id,
            { state: 'delivered', hubStatus: 'delivered', sdiId, sdiFileName: `${name.replace(/\.(xml|pdf)$/, '')}_SDI.xml` },
            { type: 'document.hub_status' },
          );
          if (index === Math.floor(count / 2)) samples = { buyer: buyer.name ?? '', total, vat: `IT${buyer.vatNumber ?? ''}`, sdiId };
        }
      });
    }
    store.db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    store.close();
  }
  return { seconds: (performance.now() - started) / 1000, samples };
}

export async function measureSearch(options: {
  documents: number;
  workDir: string;
  hub: HubChild;
  cleanup: Cleanup;
  log: (line: string) => void;
}): Promise<SearchResult> {
  const { workDir, hub, cleanup, log } = options;
  const dataDir = join(workDir, 'agent');
  const dropDir = join(workDir, 'drop');
  await prepareAgentDataDir(dataDir, benchAgentSettings(hub, dropDir), hub.apiKey);
  await mkdir(dropDir, { recursive: true });
  const file = join(dataDir, 'recapito.sqlite');
  log(`search: filling the store with ${options.documents} documents`);
  const fill = fillSearchStore(file, options.documents);
  log(`search: filled in ${fill.seconds.toFixed(1)} s (${ratePerSecond(options.documents, fill.seconds * 1000).toFixed(0)} documents/s)`);
  const { size: storeBytes } = await import('node:fs').then((fs) => fs.statSync(file));

  const agent = await startAgentChild({ dataDir, logFile: join(workDir, 'agent-output.log'), cleanup });
  try {
    const target = await apiTarget(dataDir);
    const get = async (query: string): Promise<{ ms: number; page: DocumentsPage }> => {
      const started = performance.now();
      const response = await fetch(`${target.baseUrl}/api/v1/documents?${query}`, { headers: { Authorization: `Bearer ${target.token}` } });
      if (!response.ok) throw new Error(`GET /documents?${query}: ${response.status} ${await response.text()}`);
      const page = (await response.json()) as DocumentsPage;
      return { ms: performance.now() - started, page };
    };
    /** Every match, counted by walking the pages (not timed). */
    const count = async (query: string): Promise<number> => {
      let total = 0;
      let cursor: string | null = null;
      do {
        const { page } = await get(`${query}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        total += page.documents.length;
        cursor = page.nextCursor;
      } while (cursor);
      return total;
    };
    const { buyer, total, vat, sdiId } = fill.samples;
    const italian = `${total.split('.')[0]?.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${total.split('.')[1]}`;
    const surname = buyer.split(' ').find((word) => SURNAMES.includes(word)) ?? 'Rossi';
    const cases: { label: string; query: string }[] = [
      { label: 'first page, no filter', query: '' },
      { label: 'buyer name (full)', query: `q=${encodeURIComponent(buyer)}` },
      { label: 'a surname (many documents)', query: `q=${encodeURIComponent(surname)}` },
      { label: 'amount as in the XML', query: `q=${encodeURIComponent(total)}` },
      { label: 'amount in Italian', query: `q=${encodeURIComponent(italian)}` },
      { label: 'VAT id', query: `q=${encodeURIComponent(vat)}` },
      { label: 'SDI id', query: `q=${sdiId}` },
      { label: 'one letter (a whole word)', query: 'q=f' },
      { label: 'two letters, every document (worst)', query: 'q=it' },
      { label: 'no match', query: 'q=zzzzqqq' },
      { label: 'invoice dates, one month', query: 'invoiceFrom=2025-03-01&invoiceTo=2025-03-31' },
      { label: 'surname + invoice year', query: `q=${encodeURIComponent(surname)}&invoiceFrom=2025-01-01&invoiceTo=2025-12-31` },
      { label: 'capture dates, one week', query: 'capturedFrom=2025-06-01&capturedTo=2025-06-08' },
    ];
    const queries: SearchQueryResult[] = [];
    for (const { label, query } of cases) {
      await get(query); // warm-up: the statement prepared, the pages in the cache
      const times: number[] = [];
      for (let run = 0; run < RUNS; run += 1) times.push((await get(query)).ms);
      const found = await count(query);
      queries.push({ label, query, found, ms: distribution(times), bestMs: Math.min(...times) });
      log(`search: ${label}: p50 ${queries.at(-1)?.ms.p50?.toFixed(1)} ms, ${found} found`);
    }
    return {
      documents: options.documents,
      fillSeconds: fill.seconds,
      fillRate: ratePerSecond(options.documents, fill.seconds * 1000),
      storeBytes,
      queries,
      targetMs: SEARCH_TARGET_MS,
    };
  } finally {
    await agent.stop();
  }
}

export function formatSearchReport(result: SearchResult): string {
  const lines = [
    `\nSearch (issue 17): ${result.documents} documents through GET /documents on a real agent; target < ${result.targetMs} ms`,
    `store filled in ${result.fillSeconds.toFixed(1)} s (${result.fillRate.toFixed(0)} documents/s, FTS rows included); recapito.sqlite ${(result.storeBytes / 1e6).toFixed(0)} MB`,
    '',
    `${'query'.padEnd(36)} ${'found'.padStart(7)} ${'best ms'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
  ];
  for (const q of result.queries) {
    const ms = (value: number | null): string => (value === null ? '—' : value.toFixed(1)).padStart(8);
    const flag = (q.ms.p95 ?? 0) < result.targetMs ? '' : '  over target';
    lines.push(`${q.label.padEnd(36)} ${String(q.found).padStart(7)} ${ms(q.bestMs)} ${ms(q.ms.p50)} ${ms(q.ms.p95)} ${ms(q.ms.max)}${flag}`);
  }
  return lines.join('\n');
}
