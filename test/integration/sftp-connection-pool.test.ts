// The SFTP connection pool against a real OpenSSH server: several uploads share one connection
// (SFTP tags each request), never more connections or callers than configured, a connection that
// dies under its callers fails them all and is replaced, and a write with its close sent right
// behind it stores exactly the bytes, small or large.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { needsSshd, startSshd, type Sshd } from '../helpers/sshd.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { SftpConnectionPool, openSftpSession, type SftpSession } from '../../src/core/hub/sftp-connection-pool.ts';

needsSshd().describe('SFTP connection pool (real sshd)', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let sshd: Sshd;
  let opened = 0;
  let files = '';

  beforeAll(async () => {
    temp = await makeTempDir('recapito-sftp-pool-');
    sshd = await startSshd(join(temp.dir, 'sshd'));
    files = join(temp.dir, 'files');
    await mkdir(files, { recursive: true });
  });
  afterAll(async () => {
    await sshd?.stop();
    await temp?.cleanup();
  });

  const open = (): Promise<SftpSession> => {
    opened += 1;
    return openSftpSession({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
      credentials: () => ({ privateKey: sshd.clientPrivateKey }),
      keepaliveIntervalMs: 15_000,
      connectTimeoutMs: 10_000,
    });
  };

  /** Resolves once `count` callers have arrived: proves they were inside at the same time. */
  function barrier(count: number): () => Promise<void> {
    let arrived = 0;
    let release!: () => void;
    const all = new Promise<void>((resolve) => (release = resolve));
    return () => {
      arrived += 1;
      if (arrived === count) release();
      return all;
    };
  }

  it('lends each connection to several callers at once, and never opens more than its size', async () => {
    opened = 0;
    const pool = new SftpConnectionPool(2, open, 4);
    const together = barrier(8);
    const seen: SftpSession[] = [];
    try {
      await Promise.all(
        Array.from({ length: 8 }, () =>
          pool.use(async (session) => {
            seen.push(session);
            await together();
            return session.list(files);
          }),
        ),
      );
      expect(opened).toBe(2);
      const perSession = new Map<SftpSession, number>();
      for (const session of seen) perSession.set(session, (perSession.get(session) ?? 0) + 1);
      expect([...perSession.values()]).toEqual([4, 4]);
    } finally {
      await pool.close();
    }
  });

  it('makes the caller past the limit wait for a free place', async () => {
    opened = 0;
    const pool = new SftpConnectionPool(2, open, 4);
    let inside = 0;
    let most = 0;
    // Everyone stays inside until 8 are in at once: the test does not count on the second connection
    // opening before the first one's callers are done (its handshake can take long on a busy machine).
    // A pool that lets more in fails `most`; one that lets fewer in never gets there (test timeout).
    let allIn!: () => void;
    const eightInside = new Promise<void>((resolve) => (allIn = resolve));
    try {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          pool.use(async (session) => {
            inside += 1;
            most = Math.max(most, inside);
            if (inside === 8) allIn();
            await session.list(files);
            await eightInside;
            inside -= 1;
          }),
        ),
      );
      expect(most).toBe(8);
      expect(opened).toBe(2);
      expect(pool.openConnections).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('a connection that dies under its callers: the one that opened it fails, the ones that shared it are retried once on one fresh connection', async () => {
    opened = 0;
    const pool = new SftpConnectionPool(1, open, 4);
    const together = barrier(3);
    let calls = 0;
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 3 }, () =>
          pool.use(async (session) => {
            calls += 1;
            if (calls <= 3) {
              await together();
              if (calls === 3) session.markBroken('test: the network went away');
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
            return session.list(files);
          }),
        ),
      );
      // A broken connection refuses at once: no request waits for an answer that will not come.
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
      expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/connection was lost/);
      expect(calls).toBe(5);
      // The broken connection was dropped; the two retries shared one new connection.
      expect(opened).toBe(2);
      expect(pool.openConnections).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('writes small and large files whole, with the close sent behind the writes', async () => {
    const folder = join(files, 'writes');
    await mkdir(folder, { recursive: true });
    const pool = new SftpConnectionPool(1, open, 4);
    const written = {
      'empty.bin': Buffer.alloc(0),
      'small.bin': Buffer.from('FatturaPA '.repeat(400)),
      'one-flight.bin': Buffer.alloc(8 * 64 * 1024, 7),
      'several-flights.bin': Buffer.from(Array.from({ length: 2 * 1024 * 1024 }, (_, i) => i % 251)),
    };
    try {
      await Promise.all(Object.entries(written).map(([name, bytes]) => pool.use((session) => session.writeFile(`${folder}/${name}`, bytes))));
      for (const [name, bytes] of Object.entries(written)) expect((await readFile(join(folder, name))).equals(bytes), name).toBe(true);
      // A file that cannot be created fails with the server's answer, and nothing is left behind.
      await expect(pool.use((session) => session.writeFile(`${folder}/missing-dir/x.bin`, written['small.bin']))).rejects.toMatchObject({ code: 2 });
      expect((await readdir(folder)).sort()).toEqual(Object.keys(written).sort());
    } finally {
      await pool.close();
    }
  });
});
