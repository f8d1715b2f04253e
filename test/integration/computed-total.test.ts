// The total an invoice does not state, through a real agent, its SQLite store and the local API:
// the official FPR01 sample (no ImportoTotaleDocumento) is listed with the total of its VAT summary,
// marked computed, the same figure the invoice view shows, and found by that amount however it is
// typed. Invoices captured by an agent that did not compute it get it once the store is migrated
// (v7) and the agent has read their spooled copies; one whose copy is gone keeps no total.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLocalApi, type LocalApi } from '../../src/core/api/local-api-server.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { searchRowOf } from '../../src/core/store/search-text.ts';
import { openDatabase } from '../../src/core/store/database.ts';
import { MIGRATIONS } from '../../src/core/store/migrations.ts';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import { readFatturaPa } from '../../src/core/inspect/invoice/read-fatturapa.ts';
import { BACKFILL_KEY } from '../../src/core/agent/computed-totals.ts';
import type { Agent } from '../../src/core/agent/agent.ts';
import type { DocumentsPage, DocumentSummary } from '../../src/contract/local-api.ts';
import type { InvoiceView } from '../../src/contract/invoice-view.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { fixture } from '../helpers/fixtures.ts';
import { richInvoice } from '../helpers/invoice-view-samples.ts';
import { TEST_TOKEN, apiRequest as request, startApiHarness } from '../helpers/local-api-request.ts';
import { waitFor } from '../helpers/wait-for.ts';

const FPR01 = 'IT01234567890_FPR01.xml';
const FPA01 = 'IT01234567890_FPA01.xml';
const RICH = 'IT01234567890_00077.xml';

let running: { harness: Harness; close: () => Promise<void> } | null = null;
let extraApi: LocalApi | null = null;
afterEach(async () => {
  await extraApi?.close();
  extraApi = null;
  await running?.close();
  running = null;
});

async function upload(port: number, name: string, bytes: Buffer): Promise<string> {
  const answer = await request(port, '/api/v1/documents', {
    method: 'POST',
    body: bytes,
    headers: { 'Content-Type': 'application/octet-stream', 'X-Filename': encodeURIComponent(name) },
  });
  expect(answer.status, name).toBe(201);
  return (answer.json() as { id: string }).id;
}

async function list(port: number, query = ''): Promise<DocumentSummary[]> {
  const answer = await request(port, `/api/v1/documents${query ? `?${query}` : ''}`);
  expect(answer.status, query).toBe(200);
  return (answer.json() as unknown as DocumentsPage).documents;
}

const names = async (port: number, typed: string): Promise<string[]> => (await list(port, `q=${encodeURIComponent(typed)}`)).map((d) => d.name).sort();

async function apiFor(agent: Agent, harness: Harness): Promise<LocalApi> {
  const log = createLogger({ dir: join(harness.dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
  return startLocalApi({ agent, token: TEST_TOKEN, host: '127.0.0.1', port: 0, log, maxUploadBytes: 1 << 20, uiDir: null });
}

describe('a total the invoice does not state', () => {
  it('is listed as computed, agrees with the invoice view, and is found by its amount', async () => {
    const started = (running = await startApiHarness());
    const port = started.api.port;
    // A store created by this agent had no invoices to go back over: migration 7 left no work.
    expect(started.harness.agent.store.kv.get(BACKFILL_KEY)).toBeNull();
    const fpr01 = await upload(port, FPR01, fixture('fatturapa', FPR01));
    await upload(port, RICH, richInvoice());

    const byName = new Map((await list(port)).map((d) => [d.name, d]));
    expect(byName.get(FPR01)?.invoice).toMatchObject({ number: '123', total: '6.10', totalComputed: true, currency: 'EUR' });
    // A written total is not marked.
    expect(byName.get(RICH)?.invoice).toMatchObject({ total: '551.00', totalComputed: false });

    // The invoice view (read from the spooled file on demand) shows the figure capture recorded.
    const view = (await request(port, `/api/v1/documents/${fpr01}/invoice`)).json() as unknown as InvoiceView;
    expect(view.bodies.map((b) => [b.total, b.totalComputed])).toEqual([['6.10', true]]);

    for (const typed of ['6,10', '6.10', '6,1', 'ditta 6,10']) expect(await names(port, typed), typed).toEqual([FPR01]);
    expect(await names(port, '551,00')).toEqual([RICH]);
    expect(await names(port, '6,11')).toEqual([]);
  });

  it('is filled in for invoices an older agent captured, where the spooled copy is still there', async () => {
    // A data folder as an agent of store v6 left it: invoices read without a computed total (no
    // total, no marker, search rows without an amount), their copies in the spool, but FPA01's
    // copy already removed by retention (spooled = 0), and one invoice that states its total.
    const ids = { fpr01: '01900000-0000-7000-8000-0000000000b1', fpa01: '01900000-0000-7000-8000-0000000000b2', rich: '01900000-0000-7000-8000-0000000000b3' };
    const files: Array<[string, string, Buffer, boolean]> = [
      [ids.fpr01, FPR01, fixture('fatturapa', FPR01), true],
      [ids.fpa01, FPA01, fixture('fatturapa', FPA01), false],
      [ids.rich, RICH, richInvoice(), true],
    ];
    const oldDataDir = async (root: string): Promise<string> => {
      const dataDir = join(root, 'agent');
      const db = openDatabase(
        join(dataDir, 'recapito.sqlite'),
        MIGRATIONS.filter((m) => m.version <= 6),
      );
      try {
        const insert = db.prepare(
          `INSERT INTO documents (id, profile, source, name, kind, size, sha256, spooled, state, metadata, created_at, updated_at)
           VALUES (?, 'test', 'folder', ?, 'fatturapa', ?, ?, ?, 'delivered', ?, ?, ?)`,
        );
        const addKey = db.prepare('INSERT INTO document_search_rows (document_id, invoice_date) VALUES (?, ?)');
        const addText = db.prepare('INSERT INTO document_search (rowid, text) VALUES (?, ?)');
        for (const [id, name, bytes, spooled] of files) {
          const invoice = readFatturaPa(parseXml(bytes));
          // What the v6 reader stored: the total only when the file wrote one.
          invoice.bodies = invoice.bodies.map(({ totalComputed, ...body }) => (totalComputed ? { ...body, total: null } : body));
          const sha256 = createHash('sha256').update(bytes).digest('hex');
          const at = '2026-01-01T00:00:00.000Z';
          insert.run(id, name, bytes.length, sha256, spooled ? 1 : 0, JSON.stringify({ invoice }), at, at);
          const row = searchRowOf({ name, sdiId: null, sdiFileName: null, metadata: { invoice } });
          addText.run(addKey.run(id, row.invoiceDate).lastInsertRowid, row.text);
          if (!spooled) continue;
          await mkdir(join(dataDir, 'spool', sha256.slice(0, 2)), { recursive: true });
          await writeFile(join(dataDir, 'spool', sha256.slice(0, 2), sha256), bytes);
        }
      } finally {
        db.close();
      }
      return dataDir;
    };
    const harness = await startHarness({ dataDir: oldDataDir });
    running = { harness, close: () => harness.close() };
    extraApi = await apiFor(harness.agent, harness);
    const port = extraApi.port;

    await waitFor('the migrated store to have looked at every invoice', async () => harness.agent.store.kv.get(BACKFILL_KEY) === null);
    expect(harness.agent.store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    const byId = new Map((await list(port)).map((d) => [d.id, d]));
    expect(byId.get(ids.fpr01)?.invoice).toMatchObject({ total: '6.10', totalComputed: true });
    // Its copy is gone: no figure can be worked out, and none is invented.
    expect(byId.get(ids.fpa01)?.invoice).toMatchObject({ total: null, totalComputed: false });
    expect(byId.get(ids.rich)?.invoice).toMatchObject({ total: '551.00', totalComputed: false });
    // FPA01's summary gives 6.10 too, but only FPR01 could be read again; the search row followed.
    expect(await names(port, '6,10')).toEqual([FPR01]);
    expect(await names(port, '551.00')).toEqual([RICH]);
  });
});
