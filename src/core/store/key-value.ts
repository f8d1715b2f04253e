// Small durable settings the agent owns: the hub event cursor, the hold, pause.
import { cached, type Db } from './database.ts';

export class KeyValue {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  get<T>(key: string): T | null {
    const row = cached(this.db, 'SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : null;
  }

  set(key: string, value: unknown): void {
    cached(
      this.db,
      'INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    ).run(key, JSON.stringify(value), new Date().toISOString());
  }

  delete(key: string): void {
    cached(this.db, 'DELETE FROM kv WHERE key = ?').run(key);
  }
}
