// The support bundle's scrubber (src/core/support/scrub.ts): every spelling of a known secret goes,
// fields and parameters named like a secret lose their value, and what only looks like a secret
// (a fingerprint, a hash, a document id, the names of the secrets, a near miss) stays readable.
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/core/log/redact.ts';
import { SecretPatterns, isSecretName, redactFacts, redactSecretFields } from '../../src/core/support/scrub.ts';

const API_KEY = 'rk_live_5bQ9xT2mV7nK4pL8sD3f';
const PASSWORD = 'Tr0ub4dor&3 "quoted" /path?x=1';
const PEM = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'QyNTUxOQAAACDh0Xz5zV3Qk7yQbq9m1nTq0m3cY2Zx8wQeJb1nX0aV5QAAAJh3c2QFd3Nk',
  '-----END OPENSSH PRIVATE KEY-----',
].join('\n');

/**
 * The base64 characters that depend on `secret` alone when it sits `offset` bytes into a longer
 * run: computed here without the scrubber's code, by encoding it between two different fillers and
 * keeping the run of characters where both encodings agree.
 */
function base64Inside(secret: Buffer, offset: number): string {
  const a = Buffer.concat([Buffer.alloc(offset, 0x00), secret, Buffer.alloc(3, 0x00)]).toString('base64');
  const b = Buffer.concat([Buffer.alloc(offset, 0xff), secret, Buffer.alloc(3, 0xff)]).toString('base64');
  let start = 0;
  while (a[start] !== b[start]) start += 1;
  let end = start;
  while (end < a.length && a[end] === b[end]) end += 1;
  return a.slice(start, end);
}

/** Each way a careless program could write `secret`, as the bytes a file would hold. */
function spellings(secret: string): Record<string, Buffer> {
  const utf8 = Buffer.from(secret, 'utf8');
  const out: Record<string, Buffer> = {
    plain: utf8,
    json: Buffer.from(JSON.stringify(secret)),
    jsonTwice: Buffer.from(JSON.stringify(JSON.stringify(secret))),
    url: Buffer.from(encodeURIComponent(secret)),
    hex: Buffer.from(utf8.toString('hex')),
    hexUpper: Buffer.from(utf8.toString('hex').toUpperCase()),
    utf16le: Buffer.from(secret, 'utf16le'),
    base64url: Buffer.from(utf8.toString('base64url')),
  };
  for (const offset of [0, 1, 2]) out[`base64@${offset}`] = Buffer.from(base64Inside(utf8, offset));
  return out;
}

function contains(haystack: Buffer, needle: Buffer): boolean {
  return haystack.indexOf(needle) >= 0;
}

describe('isSecretName', () => {
  it.each([
    'apiKey',
    'hubApiKey',
    'api_key',
    'X-Api-Key',
    'password',
    'sftpPassword',
    'passphrase',
    'privateKey',
    'token',
    'apiToken',
    'secret',
    'Authorization',
    'cookie',
  ])('%s holds a secret', (name) => expect(isSecretName(name)).toBe(true));
  it.each(['pin', 'PIN', 'pins', 'approverPin', 'approver_pin', 'pin-hash', 'pinHash', 'pin_hash', 'newPin', 'pinCode', 'activationCode', 'enrollmentCode'])(
    '%s holds a PIN or a code',
    (name) => expect(isSecretName(name)).toBe(true),
  );
  it.each([
    'pinned',
    'spin',
    'spinner',
    'pinCount',
    'shipping',
    'opinion',
    'hostKeyFingerprint',
    'keyExpiresAt',
    'keySource',
    'auth',
    'key',
    'name',
    'type',
    'sha256',
    'id',
  ])('%s is not a secret', (name) => expect(isSecretName(name)).toBe(false));
});

describe('redactSecretFields', () => {
  it('empties JSON fields, URL parameters and name=value pairs named like a secret', () => {
    const text = [
      JSON.stringify({ apiKey: 'unknown-key-1', nested: { pin: 4711, approverPin: '8086' }, password: 'pw' }),
      'GET https://hub.example/v1/feed?since=4&token=unknown-token-2&limit=10',
      'approver said PIN: 2718 and password=hunter2, passphrase = "x"',
    ].join('\n');
    const out = redactSecretFields(text);
    for (const value of ['unknown-key-1', '4711', '8086', '"pw"', 'unknown-token-2', '2718', 'hunter2']) expect(out).not.toContain(value);
    expect(out).toContain(`"apiKey":"${REDACTED}"`);
    expect(out).toContain(`"pin":"${REDACTED}"`);
    expect(out).toContain(`?since=4&token=${REDACTED}&limit=10`);
    expect(out).toContain(`PIN: ${REDACTED}`);
  });

  it('empties them inside a JSON string too (a body kept as text)', () => {
    const text = JSON.stringify({ body: JSON.stringify({ id: 'd-1', pin: '90817263', nested: { apiKey: 'unknown-key-3' } }) });
    const out = redactSecretFields(text);
    expect(out).not.toContain('90817263');
    expect(out).not.toContain('unknown-key-3');
    expect(JSON.parse((JSON.parse(out) as { body: string }).body)).toEqual({ id: 'd-1', pin: REDACTED, nested: { apiKey: REDACTED } });
  });

  it('leaves look-alikes readable', () => {
    const text = [
      JSON.stringify({
        hub: { url: 'https://hub.example', sftp: { auth: 'password', hostKeyFingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' } },
        keyExpiresAt: '2027-01-01T00:00:00.000Z',
        keySource: 'store',
        pinned: true,
        pinCount: 3,
        type: 'credentials.updated',
        message: 'replaced: hubApiKey, sftpPassword',
      }),
      'queue: held (reason: auth) key: not valid',
      'https://hub.example/v1/documents?state=queued&limit=5',
    ].join('\n');
    expect(redactSecretFields(text)).toBe(text);
  });
});

describe('redactFacts', () => {
  it('redacts values under secret names and known secrets in strings, keeping the shape', () => {
    const facts = { hub: { apiKey: 'whatever', url: `https://h/?k=${API_KEY}` }, counts: { queued: 2 }, pin: null, list: [API_KEY, 'ok'] };
    expect(redactFacts(facts, [API_KEY])).toEqual({
      hub: { apiKey: REDACTED, url: `https://h/?k=${REDACTED}` },
      counts: { queued: 2 },
      pin: null,
      list: [REDACTED, 'ok'],
    });
  });
});

describe('SecretPatterns', () => {
  const patterns = new SecretPatterns([API_KEY, PASSWORD, PEM]);

  it.each([
    ['the API key', API_KEY],
    ['the SFTP password', PASSWORD],
    ['the private key', PEM],
  ])('removes every spelling of %s, wherever it sits in a larger text', (_label, secret) => {
    for (const [how, bytes] of Object.entries(spellings(secret))) {
      const file = Buffer.concat([Buffer.from('line before\nxx'), bytes, Buffer.from('yy\nline after\n')]);
      const scrubbed = patterns.scrubFile(file, 'text');
      expect(contains(scrubbed, bytes), how).toBe(false);
      expect(scrubbed.toString('latin1'), how).toMatch(/^line before\n/);
      expect(scrubbed.toString('latin1'), how).toMatch(/line after\n$/);
    }
  });

  it('finds the base64 of a secret inside a larger base64 run, at each of the three alignments', () => {
    for (const prefix of ['', 'a', 'ab', 'abc', 'user:']) {
      const encoded = Buffer.from(`${prefix}${API_KEY}@host`).toString('base64');
      const scrubbed = patterns.scrubBytes(Buffer.from(`header ${encoded} trailer`)).toString();
      for (const offset of [0, 1, 2]) expect(scrubbed).not.toContain(base64Inside(Buffer.from(API_KEY), offset));
      expect(scrubbed).toMatch(/^header .*\[redacted\].* trailer$/);
    }
  });

  it('removes each line of a PEM body on its own, and the whole key JSON-escaped', () => {
    const line = PEM.split('\n')[1]!;
    const text = `log: key line ${line}\nmeta {"key":${JSON.stringify(PEM)}}\n`;
    const scrubbed = patterns.scrubFile(Buffer.from(text), 'text').toString();
    expect(scrubbed).not.toContain(line);
    expect(scrubbed).not.toContain(PEM.split('\n')[2]!);
    expect(scrubbed).toContain('log: key line [redacted]');
  });

  it('scrubs bytes that are not text', () => {
    const binary = Buffer.concat([Buffer.from([0, 1, 2, 255, 254]), Buffer.from(API_KEY, 'utf16le'), Buffer.from([0, 9, 8])]);
    const scrubbed = patterns.scrubFile(binary, 'binary');
    expect(contains(scrubbed, Buffer.from(API_KEY, 'utf16le'))).toBe(false);
    expect(scrubbed.subarray(0, 5)).toEqual(Buffer.from([0, 1, 2, 255, 254]));
  });

  it('leaves near misses and look-alikes alone', () => {
    const nearMiss = `${API_KEY.slice(0, -1)}X`; // the same key but its last character
    const lookAlikes = [
      nearMiss,
      API_KEY.slice(0, 12), // a prefix
      '0192f3a4-5b6c-7d8e-9f00-112233445566', // a document id
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', // a sha256
      Buffer.from('some other text of a decent length').toString('base64'),
      'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
      '-----BEGIN OPENSSH PRIVATE KEY-----', // the PEM armour is not the secret
      'hubApiKey sftpPassword sftpPrivateKey',
    ];
    const text = lookAlikes.join('\n');
    expect(patterns.scrubFile(Buffer.from(text), 'text').toString()).toBe(text);
  });

  it('knows no secret: text passes untouched but for secret-named fields', () => {
    const none = new SecretPatterns([]);
    expect(none.scrubFile(Buffer.from('plain {"id":"x"}'), 'text').toString()).toBe('plain {"id":"x"}');
    expect(none.scrubFile(Buffer.from('{"password":"p"}'), 'text').toString()).toBe(`{"password":"${REDACTED}"}`);
  });
});
