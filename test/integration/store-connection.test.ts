// The main SQLite connection's settings, as the agent opens it: each one is a promise made elsewhere
// (durability in design-decisions.md, the idle memory of issue 16 in performance.md).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, PAGE_CACHE_KIB } from '../../src/core/store/database.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

describe('the store connection', () => {
  it('runs in WAL with NORMAL sync, foreign keys on, and a page cache of its own size, not the build default', async () => {
    const temp = await makeTempDir();
    const db = openDatabase(join(temp.dir, 'recapito.sqlite'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      // better-sqlite3's build default is 16 MB (-16000): a long history's first scan kept it full.
      expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
      expect(PAGE_CACHE_KIB).toBeLessThan(16_000);
    } finally {
      db.close();
      await temp.cleanup();
    }
  });
});
