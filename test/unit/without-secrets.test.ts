import { describe, expect, it } from 'vitest';
import { withoutSecrets } from '../../src/core/hub/without-secrets.ts';
import { HubRequestError } from '../../src/core/hub/hub-client.ts';
import { classifySftpError } from '../../src/core/hub/classify-sftp-error.ts';
import { credentialSecrets } from '../../src/core/hub/sftp-connection-pool.ts';
import { REDACTED, redactValue } from '../../src/core/log/redact.ts';

const password = 'Sup3r-Secret-Passw0rd';
const context = { server: 'sftp.example:22', username: 'agent', folder: 'in/' };

/** Everything a log line or a support bundle would show of the error, its cause chain included. */
function everything(error: unknown): string {
  return JSON.stringify(redactValue(error, []));
}

describe('withoutSecrets', () => {
  it('keeps the cause of an SFTP error, with the password it echoed replaced', () => {
    const raw = Object.assign(new Error(`server said: password ${password} is not allowed here`), { level: 'client-socket', code: 'EPROTO' });
    const classified = classifySftpError(raw, context);
    expect(classified.message).toContain(password); // the server echoed it: the classifier quotes the server

    const error = withoutSecrets(classified, credentialSecrets({ password }));
    expect(error.message).not.toContain(password);
    expect(error.message).toContain(`password ${REDACTED} is not allowed`);
    expect(error.kind).toBe(classified.kind);
    expect(error.code).toBe(classified.code);
    const cause = error.cause as Error & { level?: unknown; code?: unknown };
    expect(cause).toBeInstanceOf(Error);
    expect(cause.message).toBe(`server said: password ${REDACTED} is not allowed here`);
    expect(cause.level).toBe('client-socket');
    expect(cause.code).toBe('EPROTO');
    expect(cause.stack).not.toContain(password);
    expect(everything(error)).not.toContain(password);
  });

  it('follows the cause chain, and replaces the JSON- and URL-encoded spellings too', () => {
    const secret = 'p@ss "word"/1';
    const socket = Object.assign(new Error(`echo ${encodeURIComponent(secret)}`), { detail: { said: JSON.stringify(secret) } });
    const wrapped = new Error('wrapper without the secret', { cause: socket });
    const error = withoutSecrets(new HubRequestError({ kind: 'transient', code: 'x', message: 'plain', cause: wrapped }), [secret]);
    const chain = everything(error);
    expect(chain).not.toContain(encodeURIComponent(secret));
    expect(chain).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(chain).toContain('wrapper without the secret');
    expect(((error.cause as Error).cause as Error).message).toBe(`echo ${REDACTED}`);
  });

  it('returns the same error, cause included, when it holds no secret', () => {
    const cause = new Error('connection refused');
    const classified = new HubRequestError({ kind: 'transient', code: 'ECONNREFUSED', message: 'hub unreachable', details: { a: 1 }, cause });
    expect(withoutSecrets(classified, ['some-api-key', null, undefined, ''])).toBe(classified);
    expect(withoutSecrets(classified, [])).toBe(classified);
  });

  it('drops details that hold a secret and keeps every other field', () => {
    const error = withoutSecrets(
      new HubRequestError({
        kind: 'auth',
        code: 'key_revoked',
        status: 401,
        retryAfterMs: 5000,
        lastSeq: 7,
        message: 'key k-123456 was revoked',
        details: { key: 'k-123456' },
      }),
      ['k-123456'],
    );
    expect(error.message).toBe(`key ${REDACTED} was revoked`);
    expect(error.details).toBeUndefined();
    expect([error.kind, error.code, error.status, error.retryAfterMs, error.lastSeq]).toEqual(['auth', 'key_revoked', 401, 5000, 7]);
  });

  it('leaves words alone: only the secrets named are replaced, not "Bearer token"', () => {
    const classified = new HubRequestError({ kind: 'auth', code: 'missing_api_key', message: 'send a Bearer token (key abcd1234)' });
    expect(withoutSecrets(classified, ['abcd1234']).message).toBe(`send a Bearer token (key ${REDACTED})`);
  });

  it('takes the SFTP credentials of four characters or more', () => {
    expect(credentialSecrets({ password: 'abc', passphrase: 'long passphrase', privateKey: null })).toEqual(['long passphrase']);
  });
});
