import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, LOG_FILE_NAME } from '../../src/core/log/logger.ts';
import type { LoggerOptions } from '../../src/core/log/logger.ts';
import { redactSecrets, redactValue } from '../../src/core/log/redact.ts';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recapito-log-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function logger(options: Partial<LoggerOptions> = {}) {
  return createLogger({ dir, level: 'debug', maxFileBytes: 1024 * 1024, maxFiles: 3, ...options });
}

async function logText(): Promise<string> {
  return fs.readFile(path.join(dir, LOG_FILE_NAME), 'utf8');
}

describe('logger', () => {
  it('writes lines with time, level, scope and meta to recapito.log', async () => {
    const log = logger().child('outbox').child('worker-1');
    log.info('document sent', { documentId: 'd-1', attempt: 2 });
    const text = await logText();
    expect(text).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d\] \[info\] \(outbox\/worker-1\) document sent \{"documentId":"d-1","attempt":2\}\n$/,
    );
  });

  it("never writes an approver's PIN or an activation code given under their names", async () => {
    const log = logger();
    log.info('approval', {
      approver: 'Anna',
      pin: '48291736',
      body: { approverPin: 5566, pin_hash: 'x1y2z3' },
      activationCode: 'ACT-7788-9900',
      pinned: true,
      pinCount: 2,
    });
    const text = await logText();
    for (const value of ['48291736', '5566', 'x1y2z3', 'ACT-7788-9900']) expect(text).not.toContain(value);
    expect(text).toContain('"approver":"Anna"');
    expect(text).toContain('"pinned":true');
    expect(text).toContain('"pinCount":2');
  });

  it('never lets a secret reach the file', async () => {
    let apiKey = 'rk_live_9f8e7d6c5b4a';
    const sshKey = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    const log = logger({ secrets: () => [apiKey, sshKey] });

    log.info(`retrying with key ${apiKey}`);
    log.warn('hub said no', { request: { headers: { Authorization: `Bearer ${apiKey}` }, url: `https://hub.example/v1?k=${encodeURIComponent(apiKey)}` } });
    log.error('upload failed', { error: new Error(`bad key ${apiKey}`), body: JSON.stringify({ key: apiKey }) });
    log.info('sftp', { config: { password: 'hunter2-not-known', passphrase: 'also-unknown', privateKey: 'x', apiKey: 'y', token: 'z' } });
    log.debug('echo', { raw: `Authorization: Bearer some.other-token`, key: sshKey, nested: [[{ deep: sshKey }]] });
    log.info(`key was ${JSON.stringify(sshKey)}`);
    // A key set after the logger was created is redacted too.
    apiKey = 'rk_live_new_0011223344';
    log.info(`new key ${apiKey}`);

    const text = await logText();
    for (const secret of [
      'rk_live_9f8e7d6c5b4a',
      'rk_live_new_0011223344',
      'b3BlbnNzaC1rZXktdjEAAAAA',
      'hunter2-not-known',
      'also-unknown',
      'some.other-token',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('Bearer [redacted]');
    expect(text).toContain('"password":"[redacted]"');
    expect(text).toContain('retrying with key [redacted]');
    expect(text).toContain('bad key [redacted]');
    expect(text.split('\n').filter(Boolean)).toHaveLength(7);
  });

  it('filters by level', async () => {
    const log = logger({ level: 'warn' });
    log.debug('debug-line');
    log.info('info-line');
    log.warn('warn-line');
    log.error('error-line');
    const text = await logText();
    expect(text).not.toContain('debug-line');
    expect(text).not.toContain('info-line');
    expect(text).toContain('[warn] warn-line');
    expect(text).toContain('[error] error-line');
  });

  it('keeps a message on one line so it cannot forge entries', async () => {
    logger().info('name.pdf\n[2020-01-01 00:00:00.000 +00:00] [error] forged');
    const lines = (await logText()).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('name.pdf\\n[2020');
  });

  it('rotates by size and keeps at most maxFiles archives, newest first', async () => {
    const log = logger({ maxFileBytes: 2048, maxFiles: 3 });
    for (let i = 0; i < 400; i += 1) log.info(`line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`);

    const files = (await fs.readdir(dir)).sort();
    expect(files).toEqual(['recapito.1.log', 'recapito.2.log', 'recapito.3.log', 'recapito.log']);
    const lastLine = async (name: string) => {
      const lines = (await fs.readFile(path.join(dir, name), 'utf8')).split('\n').filter(Boolean);
      return Number(/line (\d{4})/.exec(lines[lines.length - 1] ?? '')?.[1]);
    };
    expect(await lastLine('recapito.log')).toBe(399);
    // Each archive is older than the one before it.
    expect(await lastLine('recapito.1.log')).toBeLessThan(await lastLine('recapito.log'));
    expect(await lastLine('recapito.2.log')).toBeLessThan(await lastLine('recapito.1.log'));
    expect(await lastLine('recapito.3.log')).toBeLessThan(await lastLine('recapito.2.log'));
    for (const name of files) expect((await fs.stat(path.join(dir, name))).size).toBeLessThan(2048 + 200);
  });

  it('drops archives beyond a lowered maxFiles, and keeps none with maxFiles 0', async () => {
    const big = logger({ maxFileBytes: 1024, maxFiles: 4 });
    for (let i = 0; i < 200; i += 1) big.info(`a ${'y'.repeat(50)}`);
    expect((await fs.readdir(dir)).length).toBe(5);

    const small = createLogger({ dir, level: 'info', maxFileBytes: 1024, maxFiles: 0 });
    for (let i = 0; i < 100; i += 1) small.info(`b ${'z'.repeat(50)}`);
    expect(await fs.readdir(dir)).toEqual([LOG_FILE_NAME]);
  });

  it.skipIf(process.platform === 'win32')('creates the log file private to the user', async () => {
    logger().info('hello');
    expect((await fs.stat(path.join(dir, LOG_FILE_NAME))).mode & 0o777).toBe(0o600);
  });

  it('keeps loggers for different folders independent', async () => {
    const otherDir = await fs.mkdtemp(path.join(os.tmpdir(), 'recapito-log-other-'));
    try {
      const a = logger({ level: 'error' });
      const b = createLogger({ dir: otherDir, level: 'debug', maxFileBytes: 1024 * 1024, maxFiles: 1 });
      a.info('only-in-b?');
      b.debug('b-debug');
      a.error('a-error');
      expect(await logText()).not.toContain('b-debug');
      expect(await logText()).toContain('a-error');
      const other = await fs.readFile(path.join(otherDir, LOG_FILE_NAME), 'utf8');
      expect(other).toContain('b-debug');
      expect(other).not.toContain('a-error');
    } finally {
      await fs.rm(otherDir, { recursive: true, force: true });
    }
  });
});

describe('redaction helpers', () => {
  it('redacts known secrets, their encodings, and auth headers in text', () => {
    expect(redactSecrets('Bearer abc.def and basic Basic dXNlcjpwdw==', [])).toBe('Bearer [redacted] and basic Basic [redacted]');
    expect(redactSecrets('k=a%2Fb&j="a/b"', ['a/b'])).toBe('k=[redacted]&j="[redacted]"');
    expect(redactSecrets('line1\\nline2', ['line1\nline2'])).toBe('[redacted]');
    expect(redactSecrets('nothing here', ['', 'absent'])).toBe('nothing here');
  });

  it('redacts sensitive keys at any depth, keeps the rest, and survives cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    const out = redactValue(
      {
        user: 'mario',
        Authorization: 'Bearer t',
        sftp: { privateKey: 'pk', hubApiKey: 'k', count: 3 },
        cyclic,
        data: Buffer.from('abc'),
        empty: { password: null },
      },
      [],
    );
    expect(out).toEqual({
      user: 'mario',
      Authorization: '[redacted]',
      sftp: { privateKey: '[redacted]', hubApiKey: '[redacted]', count: 3 },
      cyclic: { name: 'x', self: '[circular]' },
      data: '[3 bytes]',
      empty: { password: null },
    });
  });
});
