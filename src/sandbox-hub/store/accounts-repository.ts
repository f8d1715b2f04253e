// Accounts, their companies, API keys (SHA-256 only), credits and one-time activation codes.
import type { HubDatabase } from './hub-database.ts';
import { randomId, randomSecret, sha256Hex } from './secrets.ts';

export interface AccountRow {
  id: string;
  name: string;
  credits: number;
}

export interface CompanyRow {
  id: string;
  vatNumber: string;
  name: string;
}

export interface ApiKeyRow {
  id: string;
  accountId: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

const SANDBOX_ACCOUNT = { id: 'acc_sandbox', name: 'Sandbox account' } as const;
const DEFAULT_CREDITS = 1000;
// The first matches the official FatturaPA samples' seller, so they upload as-is.
const SANDBOX_COMPANIES: CompanyRow[] = [
  { id: 'cmp_alpha', vatNumber: '01234567890', name: 'ALPHA SRL' },
  { id: 'cmp_beta', vatNumber: '12345678903', name: 'BETA SPA' },
];

export class AccountsRepository {
  private readonly db: HubDatabase;

  constructor(db: HubDatabase) {
    this.db = db;
  }

  /** Creates the one sandbox account and its companies on first run. */
  ensureSandboxAccount(): AccountRow {
    this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO accounts (id, name, credits) VALUES (?, ?, ?)').run(SANDBOX_ACCOUNT.id, SANDBOX_ACCOUNT.name, DEFAULT_CREDITS);
      const insertCompany = this.db.prepare('INSERT OR IGNORE INTO companies (id, account_id, vat_number, name) VALUES (?, ?, ?, ?)');
      for (const company of SANDBOX_COMPANIES) insertCompany.run(company.id, SANDBOX_ACCOUNT.id, company.vatNumber, company.name);
    })();
    return this.account(SANDBOX_ACCOUNT.id) as AccountRow;
  }

  account(id: string): AccountRow | undefined {
    return this.db.prepare('SELECT id, name, credits FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
  }

  companies(accountId: string): CompanyRow[] {
    return this.db.prepare('SELECT id, vat_number AS vatNumber, name FROM companies WHERE account_id = ? ORDER BY id').all(accountId) as CompanyRow[];
  }

  setCredits(accountId: string, credits: number): void {
    this.db.prepare('UPDATE accounts SET credits = ? WHERE id = ?').run(credits, accountId);
  }

  /** Takes one credit; false when none are left (nothing changes then). */
  spendCredit(accountId: string): boolean {
    return this.db.prepare('UPDATE accounts SET credits = credits - 1 WHERE id = ? AND credits > 0').run(accountId).changes === 1;
  }

  createApiKey(accountId: string, options: { name?: string; expiresAt?: string | null }, now: Date): { secret: string; key: ApiKeyRow } {
    const secret = randomSecret('rk_sandbox_');
    const key: ApiKeyRow = {
      id: randomId('key_'),
      accountId,
      name: options.name ?? 'sandbox key',
      createdAt: now.toISOString(),
      expiresAt: options.expiresAt ?? null,
      revokedAt: null,
    };
    this.db
      .prepare('INSERT INTO api_keys (id, account_id, secret_sha256, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.id, accountId, sha256Hex(secret), key.name, key.createdAt, key.expiresAt);
    return { secret, key };
  }

  keyBySecret(secret: string): ApiKeyRow | undefined {
    return this.db
      .prepare(
        `SELECT id, account_id AS accountId, name, created_at AS createdAt, expires_at AS expiresAt, revoked_at AS revokedAt
         FROM api_keys WHERE secret_sha256 = ?`,
      )
      .get(sha256Hex(secret)) as ApiKeyRow | undefined;
  }

  revokeKey(secret: string, now: Date): boolean {
    return (
      this.db.prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE secret_sha256 = ?').run(now.toISOString(), sha256Hex(secret)).changes ===
      1
    );
  }

  setKeyExpiry(secret: string, expiresAt: string | null): boolean {
    return this.db.prepare('UPDATE api_keys SET expires_at = ? WHERE secret_sha256 = ?').run(expiresAt, sha256Hex(secret)).changes === 1;
  }

  createActivationCode(accountId: string, now: Date, expiresAt: string | null = null): string {
    // Short enough to type from an e-mail; grouped for readability.
    const raw = randomSecret('', 9).replace(/[-_]/g, 'X').toUpperCase();
    const code = `SBX-${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
    this.db
      .prepare('INSERT INTO activation_codes (code_sha256, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(sha256Hex(code), accountId, now.toISOString(), expiresAt === null ? null : new Date(expiresAt).toISOString());
    return code;
  }

  /** The account of an activation code that was never used and has not expired at `now`; undefined otherwise. */
  unusedActivationCodeAccount(code: string, now: Date): string | undefined {
    const row = this.db
      .prepare('SELECT account_id AS accountId FROM activation_codes WHERE code_sha256 = ? AND used_at IS NULL AND (expires_at IS NULL OR expires_at > ?)')
      .get(sha256Hex(code), now.toISOString()) as { accountId: string } | undefined;
    return row?.accountId;
  }

  markActivationCodeUsed(code: string, keyId: string, now: Date): void {
    this.db.prepare('UPDATE activation_codes SET used_at = ?, used_by_key_id = ? WHERE code_sha256 = ?').run(now.toISOString(), keyId, sha256Hex(code));
  }
}
