// The total an invoice does not state, through a real agent, its SQLite store and the local API:
// the official FPR01 sample (no ImportoTotaleDocumento) is listed with the total of its VAT summary,
// marked computed, the same figure the invoice view shows, and found by that amount however it is
// typed. Invoices captured by an agent that did not compute it get it once the store is migrated
// (v7) and the agent has read their spooled copies; one whose copy is gone keeps no total.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { startLocalApi, type LocalApi } from '../../src/core/api/local-api-server.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { searchRowOf } from '../../src/core/store/search-text.ts';
import { BACKFILL_KEY } from '../../src/core/agent/computed-totals.ts';
import type { Agent } from '../../src/core/agent/agent.ts';
import type { DocumentsPage, DocumentSummary } from '../../src/contract/local-api.ts';
import type { InvoiceView } from '../../src/contract/invoice-view.ts';
import type { Harness } from '../helpers/harness.ts';
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
    const started = (running = await startApiHarness());
    const { harness: h } = started;
    const fpr01 = await upload(started.api.port, FPR01, fixture('fatturapa', FPR01));
    const fpa01 = await upload(started.api.port, FPA01, fixture('fatturapa', FPA01));
    const gone = h.agent.store.documents.get(fpa01)?.sha256 ?? '';
    expect(gone).toMatch(/^[0-9a-f]{64}$/);
    await started.api.close();
    started.close = () => h.close();

    const agent = await h.restartAgent(undefined, async () => {
      // What an agent of store v6 left: bodies without a total or marker, search rows without the
      // amount, no backfill key. And one invoice's spooled copy gone (retention).
      const db = new Database(join(h.dataDir, 'recapito.sqlite'));
      try {
        const rows = db.prepare('SELECT id, name, sdi_id, sdi_file_name, metadata FROM documents').all() as {
          id: string;
          name: string;
          sdi_id: string | null;
          sdi_file_name: string | null;
          metadata: string;
        }[];
        for (const row of rows) {
          const metadata = JSON.parse(row.metadata) as { invoice: { bodies: Record<string, unknown>[] } };
          for (const body of metadata.invoice.bodies) {
            body['total'] = null;
            delete body['totalComputed'];
          }
          db.prepare('UPDATE documents SET metadata = ? WHERE id = ?').run(JSON.stringify(metadata), row.id);
          const text = searchRowOf({ name: row.name, sdiId: row.sdi_id, sdiFileName: row.sdi_file_name, metadata }).text;
          db.prepare('UPDATE document_search SET text = ? WHERE rowid = (SELECT rowid FROM document_search_rows WHERE document_id = ?)').run(text, row.id);
        }
        db.prepare('DELETE FROM kv WHERE key = ?').run(BACKFILL_KEY);
        db.pragma('user_version = 6');
      } finally {
        db.close();
      }
      await unlink(join(h.dataDir, 'spool', gone.slice(0, 2), gone));
    });
    extraApi = await apiFor(agent, h);
    const port = extraApi.port;

    await waitFor('the migrated store to have looked at every invoice', async () => agent.store.kv.get(BACKFILL_KEY) === null);
    expect(agent.store.db.pragma('user_version', { simple: true })).toBe(7);
    const byId = new Map((await list(port)).map((d) => [d.id, d]));
    expect(byId.get(fpr01)?.invoice).toMatchObject({ total: '6.10', totalComputed: true });
    // Its copy is gone: no figure can be worked out, and none is invented.
    expect(byId.get(fpa01)?.invoice).toMatchObject({ total: null, totalComputed: false });
    // FPA01's summary gives 6.10 too, but only FPR01 could be read again.
    expect(await names(port, '6,10')).toEqual([FPR01]);
  });
});
