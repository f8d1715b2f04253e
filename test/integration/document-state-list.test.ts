// The list by state and the state counts (migration 9) over a real SQLite file: the counts the
// triggers keep follow inserts, state changes and deletions and match a count of the rows; a store
// of the previous version gets them from its rows; a page of one state is read in capture order
// along documents_state_created, with no sort of every document of that state (issue 16: 1.3 s for
// 90,000 "delivered" at 100,000 documents before).
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../src/core/store/store.ts';
import { openDatabase } from '../../src/core/store/database.ts';
import { MIGRATIONS } from '../../src/core/store/migrations.ts';
import type { DocumentState } from '../../src/contract/states.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let store: Store | null = null;
let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  store?.close();
  await cleanup?.();
  store = null;
  cleanup = null;
});

async function tempFile(): Promise<string> {
  const temp = await makeTempDir('recapito-state-list-');
  cleanup = temp.cleanup;
  return join(temp.dir, 'recapito.sqlite');
}

let serial = 0;
function add(target: Store, state: DocumentState = 'queued'): string {
  serial += 1;
  const id = `01900000-0000-7000-8000-${String(serial).padStart(12, '0')}`;
  target.transaction(() =>
    target.documents.insert(
      {
        id,
        profile: 'main',
        source: 'folder',
        name: `${serial}.xml`,
        kind: 'fatturapa',
        size: 1,
        sha256: String(serial).padStart(64, '0'),
        spooled: true,
        state,
        metadata: {},
      },
      new Date(Date.UTC(2026, 0, 1, 0, 0, serial)).toISOString(),
    ),
  );
  return id;
}

/** What the triggers must agree with. */
function counted(target: Store): Record<string, number> {
  const rows = target.db.prepare('SELECT state, COUNT(*) AS n FROM documents GROUP BY state').all() as { state: string; n: number }[];
  return Object.fromEntries(rows.map((row) => [row.state, row.n]));
}

describe('documents by state', () => {
  it('keeps the count of each state through inserts, state changes and deletions', async () => {
    store = new Store(await tempFile(), 'test');
    const s = store;
    expect(s.documents.countsByState()).toEqual({});
    const ids = Array.from({ length: 12 }, (_, i) => add(s, i < 2 ? 'invalid' : 'queued'));
    expect(s.documents.countsByState()).toEqual({ invalid: 2, queued: 10 });
    for (const id of ids.slice(2, 7)) s.transaction(() => s.documents.transition(id, { state: 'delivered' }, { type: 'document.hub_status' }));
    s.transaction(() => s.documents.transition(ids[7]!, { state: 'queued', reason: 'again' }, { type: 'document.retry' }));
    expect(s.documents.countsByState()).toEqual({ invalid: 2, queued: 5, delivered: 5 });
    s.transaction(() => s.db.prepare('DELETE FROM documents WHERE id IN (?, ?, ?)').run(ids[0], ids[2], ids[11]));
    // A state with no document left is not listed (the chips show only states that have some).
    s.transaction(() => s.db.prepare("UPDATE documents SET state = 'failed' WHERE state = 'invalid'").run());
    expect(s.documents.countsByState()).toEqual({ failed: 1, queued: 4, delivered: 4 });
    expect(s.documents.countsByState()).toEqual(counted(s));
  });

  it('lists one state newest first along its index, page by page, without sorting the state', async () => {
    store = new Store(await tempFile(), 'test');
    const s = store;
    const delivered: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const id = add(s, i % 3 === 0 ? 'rejected' : 'queued');
      if (i % 3 !== 0) {
        s.transaction(() => s.documents.transition(id, { state: 'delivered' }, { type: 'document.hub_status' }));
        delivered.push(id);
      }
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ReturnType<typeof s.documents.list> = s.documents.list({ state: ['delivered'], limit: 7, cursor });
      seen.push(...page.documents.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...delivered].reverse());

    const plan = (
      s.db.prepare('EXPLAIN QUERY PLAN SELECT * FROM documents WHERE state IN (?) ORDER BY created_at DESC, id DESC LIMIT 51').all('delivered') as {
        detail: string;
      }[]
    ).map((row) => row.detail);
    expect(plan.join(' | ')).toMatch(/documents_state_created/);
    expect(plan.join(' | ')).not.toMatch(/TEMP B-TREE/);
  });
});

describe('migration 9 from a v8 store', () => {
  it('counts the states of the documents already there', async () => {
    const file = await tempFile();
    const old = openDatabase(
      file,
      MIGRATIONS.filter((m) => m.version <= 8),
    );
    const insert = old.prepare(
      `INSERT INTO documents (id, profile, source, name, kind, size, sha256, spooled, state, metadata, created_at, updated_at)
       VALUES (?, 'main', 'folder', ?, 'fatturapa', 1, ?, 0, ?, '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
    );
    ['delivered', 'delivered', 'rejected', 'queued', 'delivered'].forEach((state, i) =>
      insert.run(`01900000-0000-7000-8000-00000000000${i}`, `${i}.xml`, String(i).repeat(64), state),
    );
    old.close();

    store = new Store(file, 'test');
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(store.documents.countsByState()).toEqual({ delivered: 3, rejected: 1, queued: 1 });
    add(store, 'queued');
    expect(store.documents.countsByState()).toEqual({ delivered: 3, rejected: 1, queued: 2 });
  });
});
