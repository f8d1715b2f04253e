// The list search over a real SQLite file (store/search-text.ts, migration 6): accents, prefixes,
// amounts as the XML writes them and as a person types them, VAT ids and fiscal codes, the SDI id
// once it arrives, user input that looks like FTS5 syntax, the invoice-date filter, deleted
// documents forgotten, and a store of the previous version backfilled by the migration.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../src/core/store/store.ts';
import { openDatabase } from '../../src/core/store/database.ts';
import { MIGRATIONS } from '../../src/core/store/migrations.ts';
import type { DocumentQuery, NewDocument } from '../../src/core/store/documents.ts';
import type { InvoiceReading } from '../../src/contract/invoice.ts';
import { amountSpellings, ftsQueryOf } from '../../src/core/store/search-text.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let store: Store | null = null;
let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  store?.close();
  await cleanup?.();
  store = null;
  cleanup = null;
});

async function openStore(): Promise<{ store: Store; file: string }> {
  const temp = await makeTempDir('recapito-search-');
  cleanup = temp.cleanup;
  const file = join(temp.dir, 'recapito.sqlite');
  store = new Store(file, 'test');
  return { store, file };
}

function reading(over: {
  seller?: string;
  buyer?: string;
  buyerVat?: string;
  buyerFiscal?: string | null;
  number?: string;
  date?: string;
  total?: string | null;
}): InvoiceReading {
  return {
    format: 'FPR12',
    transmitter: { country: 'IT', id: '01234567890' },
    progressivoInvio: '00001',
    codiceDestinatario: 'ABC1234',
    pecDestinatario: null,
    seller: { country: 'IT', vatNumber: '01234567890', fiscalCode: null, name: over.seller ?? 'Alpha Srl' },
    buyer: { country: 'IT', vatNumber: over.buyerVat ?? '09876543210', fiscalCode: over.buyerFiscal ?? null, name: over.buyer ?? 'Beta Spa' },
    bodies: [
      {
        type: 'TD01',
        number: over.number ?? '1/2026',
        date: over.date ?? '2026-03-15',
        total: over.total === undefined ? '122.00' : over.total,
        currency: 'EUR',
      },
    ],
    signed: null,
  };
}

let serial = 0;
function add(target: Store, name: string, invoice: InvoiceReading | null, extra: Record<string, unknown> = {}): string {
  serial += 1;
  const id = `01900000-0000-7000-8000-${String(serial).padStart(12, '0')}`;
  const document: NewDocument = {
    id,
    profile: 'main',
    source: 'folder',
    name,
    kind: invoice ? 'fatturapa' : 'pdf',
    size: 10,
    sha256: String(serial).padStart(64, '0'),
    spooled: true,
    state: 'queued',
    metadata: { ...(invoice ? { invoice } : {}), ...extra },
  };
  target.transaction(() => target.documents.insert(document, new Date(Date.UTC(2026, 0, 1, 0, 0, serial)).toISOString()));
  return id;
}

function names(target: Store, query: DocumentQuery): string[] {
  return target.documents
    .list(query)
    .documents.map((d) => d.name)
    .sort();
}

describe('document search', () => {
  it('finds by buyer and seller names, accents or not, by word prefixes, all words required', async () => {
    const { store: s } = await openStore();
    add(s, 'a.xml', reading({ seller: 'Caffè Società Cooperativa', buyer: 'Pasticceria Nicolò Srl' }));
    add(s, 'b.xml', reading({ seller: 'Ferramenta Rossi', buyer: 'Bianchi Spa' }));
    add(s, 'c.xml', reading({ seller: 'Alpha Srl', buyer: 'Rossini Mario' }));

    expect(names(s, { q: 'nicolo' })).toEqual(['a.xml']);
    expect(names(s, { q: 'NICOLÒ' })).toEqual(['a.xml']);
    expect(names(s, { q: 'societa caffe' })).toEqual(['a.xml']);
    expect(names(s, { q: 'Pastic' })).toEqual(['a.xml']);
    expect(names(s, { q: 'ross' })).toEqual(['b.xml', 'c.xml']);
    // One character is a whole word, not a prefix.
    expect(names(s, { q: 'p' })).toEqual([]);
    expect(names(s, { q: 'pa' })).toEqual(['a.xml']);
    expect(names(s, { q: 'rossi ferr' })).toEqual(['b.xml']);
    expect(names(s, { q: 'rossi mario' })).toEqual(['c.xml']);
    expect(names(s, { q: 'rossi verdi' })).toEqual([]);
    // The file name is a word source too.
    expect(names(s, { q: 'b.xml' })).toEqual(['b.xml']);
  });

  it('finds an amount as the XML writes it and as a person types it, and nothing else', async () => {
    const { store: s } = await openStore();
    add(s, 'big.xml', reading({ total: '1234.50' }));
    add(s, 'small.xml', reading({ total: '234.50' }));
    add(s, 'pdf.pdf', null, {
      pdfGuess: { guessed: true, number: 'F-77', date: '2026-02-01', vatNumbers: ['01234567890'], total: '12.345,60', textChars: 100 },
    });

    for (const typed of ['1234.50', '1234,50', '1.234,50', '1234,5', '1.234']) expect(names(s, { q: typed }), typed).toEqual(['big.xml']);
    expect(names(s, { q: '234,50' })).toEqual(['small.xml']);
    for (const typed of ['12345.60', '12345,60', '12.345,60']) expect(names(s, { q: typed }), typed).toEqual(['pdf.pdf']);
    expect(names(s, { q: '999,00' })).toEqual([]);
    expect(amountSpellings('1234567.8')).toEqual(['1234567.8', '1234567,8', '1.234.567,8']);
    expect(amountSpellings('-50.00')).toEqual(['-50.00', '-50,00']);
  });

  it('finds VAT ids with or without the country, fiscal codes, invoice numbers and dates', async () => {
    const { store: s } = await openStore();
    add(s, 'a.xml', reading({ buyerVat: '11122233344', buyerFiscal: 'RSSMRA80A01H501U', number: 'FPR 123/2026', date: '2026-04-30' }));
    add(s, 'b.xml', reading({ buyerVat: '55566677788', number: '7', date: '2025-12-01' }));

    expect(names(s, { q: '11122233344' })).toEqual(['a.xml']);
    expect(names(s, { q: 'IT11122233344' })).toEqual(['a.xml']);
    expect(names(s, { q: 'it111222' })).toEqual(['a.xml']);
    expect(names(s, { q: 'rssmra80a01h501u' })).toEqual(['a.xml']);
    expect(names(s, { q: '123/2026' })).toEqual(['a.xml']);
    expect(names(s, { q: '30/04/2026' })).toEqual(['a.xml']);
    expect(names(s, { q: '2025-12-01' })).toEqual(['b.xml']);
    // Both share the seller's VAT id.
    expect(names(s, { q: 'IT01234567890' })).toEqual(['a.xml', 'b.xml']);
  });

  it('finds a document by its SDI id from the commit that records it, and by its id', async () => {
    const { store: s } = await openStore();
    const id = add(s, 'a.xml', reading({}));
    add(s, 'b.xml', reading({}));
    expect(names(s, { q: '98765432' })).toEqual([]);
    s.transaction(() =>
      s.documents.transition(id, { state: 'delivered', sdiId: '98765432', sdiFileName: 'IT01234567890_00001.xml' }, { type: 'document.hub_status' }),
    );
    expect(names(s, { q: '98765432' })).toEqual(['a.xml']);
    expect(names(s, { q: 'IT01234567890_00001' })).toEqual(['a.xml']);
    expect(names(s, { q: id })).toEqual(['a.xml']);
    // A later status without an SDI id keeps it.
    s.transaction(() => s.documents.transition(id, { hubStatus: 'delivered' }, { type: 'document.hub_status' }));
    expect(names(s, { q: '98765432' })).toEqual(['a.xml']);
  });

  it('takes FTS5 syntax in the input as plain words: no error, no operator', async () => {
    const { store: s } = await openStore();
    add(s, 'or near.xml', reading({ buyer: 'Near Or Far Srl' }));
    add(s, 'other.xml', reading({ buyer: 'Gamma Srl' }));
    for (const typed of ['"', '""', '*', '"*', '(', ')', 'NEAR(', '^', ':', '-', '+', "'", 'a"b', 'text:x', '{text}: x', 'OR', 'AND', 'NOT'])
      expect(() => s.documents.list({ q: typed }), typed).not.toThrow();
    // "OR" and "NEAR(" are words to find, not operators: OR would have found both documents.
    expect(names(s, { q: 'near OR gamma' })).toEqual([]);
    expect(names(s, { q: 'NEAR( far' })).toEqual(['or near.xml']);
    expect(names(s, { q: 'gamma NOT' })).toEqual([]);
    expect(names(s, { q: 'gamma*' })).toEqual(['other.xml']);
    expect(names(s, { q: '"gamma' })).toEqual(['other.xml']);
    // Nothing searchable in it: no filter at all.
    expect(names(s, { q: '* " (' })).toEqual(['or near.xml', 'other.xml']);
    expect(ftsQueryOf('a"b NEAR( x')).toBe('"a""b"* "NEAR("* "x"');
  });

  it('filters by invoice date (both ends inclusive) and capture time, with the search and the cursor', async () => {
    const { store: s } = await openStore();
    add(s, 'march.xml', reading({ date: '2026-03-01', buyer: 'Delta' }));
    add(s, 'april.xml', reading({ date: '2026-04-30', buyer: 'Delta' }));
    add(s, 'may.xml', reading({ date: '2026-05-01', buyer: 'Delta' }));
    add(s, 'none.pdf', null);
    expect(names(s, { invoiceFrom: '2026-03-01', invoiceTo: '2026-04-30' })).toEqual(['april.xml', 'march.xml']);
    expect(names(s, { invoiceFrom: '2026-04-01' })).toEqual(['april.xml', 'may.xml']);
    expect(names(s, { invoiceTo: '2026-03-01', q: 'delta' })).toEqual(['march.xml']);
    // A document found by its id is still held to the date range.
    const mayId = s.documents.list({ q: 'delta', invoiceFrom: '2026-05-01' }).documents[0]?.id ?? '';
    expect(names(s, { q: mayId, invoiceFrom: '2026-05-01' })).toEqual(['may.xml']);
    expect(names(s, { q: mayId, invoiceTo: '2026-04-30' })).toEqual([]);
    const all = s.documents.list({});
    const first = all.documents.at(-1);
    expect(names(s, { from: first?.createdAt ?? '', to: all.documents[0]?.createdAt ?? '' }).length).toBe(3);
    const page1 = s.documents.list({ q: 'delta', limit: 2 });
    expect(page1.documents.map((d) => d.name)).toEqual(['may.xml', 'april.xml']);
    expect(s.documents.list({ q: 'delta', limit: 2, cursor: page1.nextCursor }).documents.map((d) => d.name)).toEqual(['march.xml']);
  });

  it('pages through many matches (read along the capture-time index) newest first, every match once', async () => {
    const { store: s } = await openStore();
    const ids: string[] = [];
    for (let i = 0; i < 1200; i += 1) ids.push(add(s, `m${i}.xml`, reading({ buyer: i % 3 === 0 ? 'Comune di Sopra' : 'Comune di Sotto' })));
    add(s, 'other.xml', reading({ buyer: 'Provincia' }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = s.documents.list({ q: 'comune', limit: 500, cursor });
      seen.push(...page.documents.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(s.documents.list({ q: 'comune sopra', limit: 500 }).documents).toHaveLength(400);
    expect(s.documents.list({ q: 'comune', limit: 3 }).documents.map((d) => d.name)).toEqual(['m1199.xml', 'm1198.xml', 'm1197.xml']);
  });

  it('forgets a deleted document and follows merged metadata', async () => {
    const { store: s } = await openStore();
    const id = add(s, 'a.pdf', null);
    expect(names(s, { q: 'Omega' })).toEqual([]);
    s.transaction(() => s.documents.mergeMetadata(id, { invoice: reading({ buyer: 'Omega Srl' }) }));
    expect(names(s, { q: 'Omega' })).toEqual(['a.pdf']);
    s.transaction(() => s.db.prepare('DELETE FROM documents WHERE id = ?').run(id));
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM document_search_rows').get()).toEqual({ n: 0 });
    expect(s.db.prepare("SELECT COUNT(*) AS n FROM document_search WHERE document_search MATCH 'omega'").get()).toEqual({ n: 0 });
  });
});

describe('migration 6 from a v5 store', () => {
  it('backfills the search index of the documents already there', async () => {
    const temp = await makeTempDir('recapito-search-migration-');
    cleanup = temp.cleanup;
    const file = join(temp.dir, 'recapito.sqlite');
    const old = openDatabase(
      file,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    expect(old.pragma('user_version', { simple: true })).toBe(5);
    const insert = old.prepare(
      `INSERT INTO documents (id, profile, source, name, kind, size, sha256, spooled, state, sdi_id, metadata, created_at, updated_at)
       VALUES (?, 'main', 'folder', ?, 'fatturapa', 1, ?, 0, 'delivered', ?, ?, ?, ?)`,
    );
    const at = '2026-01-01T00:00:00.000Z';
    insert.run(
      '01900000-0000-7000-8000-0000000000a1',
      'old-1.xml',
      'a'.repeat(64),
      '11111',
      JSON.stringify({ invoice: reading({ buyer: 'Zeta Università', total: '1500.00', date: '2025-06-30' }) }),
      at,
      at,
    );
    insert.run('01900000-0000-7000-8000-0000000000a2', 'old-2.xml', 'b'.repeat(64), null, JSON.stringify({ invoice: reading({ buyer: 'Eta Srl' }) }), at, at);
    insert.run('01900000-0000-7000-8000-0000000000a3', 'broken.xml', 'c'.repeat(64), null, '{not json', at, at);
    old.close();

    store = new Store(file, 'test');
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(names(store, { q: 'universita' })).toEqual(['old-1.xml']);
    expect(names(store, { q: '1.500,00' })).toEqual(['old-1.xml']);
    expect(names(store, { q: '11111' })).toEqual(['old-1.xml']);
    expect(names(store, { q: 'eta' })).toEqual(['old-2.xml']);
    expect(names(store, { q: 'broken' })).toEqual(['broken.xml']);
    expect(names(store, { invoiceTo: '2025-12-31' })).toEqual(['old-1.xml']);
    // New documents go on from there.
    add(store, 'new.xml', reading({ buyer: 'Eta Nuova' }));
    expect(names(store, { q: 'eta' })).toEqual(['new.xml', 'old-2.xml']);
  });
});
