// The SFTP hub client against a real OpenSSH server started here: the hub's folder is a plain local
// folder the test inspects and fills directly. What lands in in/ (and never a partial file), the
// status-file feed, acknowledgements, and how every failure is classified.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { needsSshd, startSshd, type Sshd } from '../helpers/sshd.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { freePort } from '../helpers/free-port.ts';
import { createSftpHubClient, type SftpHubClientOptions } from '../../src/core/hub/sftp-hub-client.ts';
import { fetchHostKeyFingerprint, testSftpConnection } from '../../src/core/hub/sftp-probe.ts';
import { sftpFingerprintCommand } from '../../src/cli/commands/sftp-fingerprint.ts';
import { HubRequestError, type HubClient, type UploadRequest } from '../../src/core/hub/hub-client.ts';
import type { HubEvent } from '../../src/contract/hub-protocol.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

needsSshd().describe('SFTP hub client (real sshd)', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let sshd: Sshd;
  let roots = 0;
  const clients: HubClient[] = [];
  const extraServers: Sshd[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('recapito-sftp-client-');
    sshd = await startSshd(join(temp.dir, 'sshd'));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(extraServers.splice(0).map((server) => server.stop()));
  });
  afterAll(async () => {
    await sshd?.stop();
    await temp?.cleanup();
  });

  /** A fresh hub folder with in/ and out/. */
  async function hubRoot(folders: string[] = ['in', 'out']): Promise<string> {
    const root = join(temp.dir, `hub-${++roots}`);
    await mkdir(root);
    for (const folder of folders) await mkdir(join(root, folder));
    return root;
  }

  function options(root: string, overrides: Partial<SftpHubClientOptions> = {}, server: Sshd = sshd): SftpHubClientOptions {
    return {
      host: server.host,
      port: server.port,
      username: server.username,
      root,
      hostKeyFingerprint: server.hostKeyFingerprint,
      credentials: () => ({ privateKey: server.clientPrivateKey }),
      pollIntervalMs: 100,
      connectTimeoutMs: 5000,
      ...overrides,
    };
  }

  function client(root: string, overrides: Partial<SftpHubClientOptions> = {}, server: Sshd = sshd): HubClient {
    const made = createSftpHubClient(options(root, overrides, server));
    clients.push(made);
    return made;
  }

  async function ownSshd(name: string): Promise<Sshd> {
    const server = await startSshd(join(temp.dir, `sshd-${name}`));
    extraServers.push(server);
    return server;
  }

  function document(key: string, bytes: Buffer | string, fileName = `${key}.pdf`): UploadRequest {
    return { idempotencyKey: key, bytes: Buffer.from(bytes), fileName, contentType: 'application/pdf', source: 'api' };
  }

  async function failure(promise: Promise<unknown>): Promise<HubRequestError> {
    const error = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(HubRequestError);
    return error as HubRequestError;
  }

  function event(seq: number, key: string, status: HubEvent['status'], extra: Partial<HubEvent> = {}): HubEvent {
    return { seq, documentId: `hub-${key}`, idempotencyKey: key, status, at: new Date(1_700_000_000_000 + seq).toISOString(), ...extra };
  }

  async function writeStatus(root: string, statusEvent: HubEvent, files: Record<string, string> = {}): Promise<string> {
    for (const [name, content] of Object.entries(files)) await writeFile(join(root, 'out', `${statusEvent.idempotencyKey}__${name}`), content);
    const name = `${String(statusEvent.seq).padStart(12, '0')}__${statusEvent.idempotencyKey}__${statusEvent.status}.json`;
    await writeFile(join(root, 'out', name), JSON.stringify({ ...statusEvent, ...(Object.keys(files).length ? { files: Object.keys(files) } : {}) }));
    return name;
  }

  describe('uploads', () => {
    it('lands as <key>__<percent-encoded name> with the exact bytes, and no .part is left', async () => {
      const root = await hubRoot();
      const hub = client(root);
      const bytes = Buffer.from('%PDF-1.7 fattura\n');
      const before = Date.now();
      const result = await hub.upload(document('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', bytes, 'Fattura n° 1/2024 è.pdf'));

      expect(result.hubId).toBe('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
      expect(result.replay).toBe(false);
      expect(Date.parse(result.receivedAt)).toBeGreaterThanOrEqual(before - 1000);
      const name = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b__Fattura%20n%C2%B0%201%2F2024%20%C3%A8.pdf';
      expect(await readdir(join(root, 'in'))).toEqual([name]);
      expect(await readFile(join(root, 'in', name))).toEqual(bytes);
      expect(decodeURIComponent(name.split('__')[1]!)).toBe('Fattura n° 1/2024 è.pdf');
      expect(hub.transport).toBe('sftp');
      expect(hub.endpoint).toBe(`sftp://${sshd.username}@${sshd.host}:${sshd.port}${root}`);
    });

    it('never shows the hub a partial file under its final name during a large upload', async () => {
      const root = await hubRoot();
      const hub = client(root);
      const bytes = Buffer.alloc(24 * 1024 * 1024, 7);
      const seen = { part: 0, finalWhole: 0, partialFinal: [] as string[] };
      let uploading = true;
      const watcher = (async () => {
        while (uploading) {
          for (const name of await readdir(join(root, 'in'))) {
            const size = (await stat(join(root, 'in', name)).catch(() => null))?.size;
            if (name.startsWith('.')) seen.part += 1;
            else if (size === bytes.length) seen.finalWhole += 1;
            else if (size !== undefined) seen.partialFinal.push(`${name}: ${size}`);
          }
          await pause(1);
        }
      })();
      await hub.upload(document('big', bytes));
      uploading = false;
      await watcher;

      expect(seen.partialFinal).toEqual([]);
      expect(seen.part).toBeGreaterThan(0); // the watcher did look while the upload was under way
      expect((await readFile(join(root, 'in', 'big__big.pdf'))).equals(bytes)).toBe(true);
      expect(await readdir(join(root, 'in'))).toEqual(['big__big.pdf']);
    });

    it('overwrites a .part left by a crash, and a retry after the rename is a replay', async () => {
      const root = await hubRoot();
      const hub = client(root);
      await writeFile(join(root, 'in', '.k1.part'), 'half of an older attempt, longer than the document itself');
      const first = await hub.upload(document('k1', 'whole document'));
      expect(first.replay).toBe(false);
      expect(await readdir(join(root, 'in'))).toEqual(['k1__k1.pdf']);
      expect(await readFile(join(root, 'in', 'k1__k1.pdf'), 'utf8')).toBe('whole document');

      // The crash came after the rename: the final name is there already.
      const again = await hub.upload(document('k1', 'whole document'));
      expect(again).toMatchObject({ hubId: 'k1', replay: true });
      expect(await readdir(join(root, 'in'))).toEqual(['k1__k1.pdf']);
    });

    it('refuses an id that cannot be part of a file name, as a permanent failure', async () => {
      const hub = client(await hubRoot());
      expect((await failure(hub.upload(document('../escape', 'x')))).kind).toBe('permanent');
      expect((await failure(hub.upload(document('a__b', 'x')))).kind).toBe('permanent');
    });

    it("sends 200 small files on one connection in a fraction of the time Nagle's algorithm would take, even without ssh2's native crypto", async () => {
      // Where ssh2's native binding is missing (Electron, other Node ABIs) each packet goes out in
      // two writes and, with Nagle's algorithm on, every request stalls ~40 ms: 200 uploads would
      // take 30 s or more. A child process without the binding shows the real-world pace. Measured on a
      // loaded 2-core machine: 3.4 s with Nagle off, 28 s with it on (its stalls are timers: no machine
      // makes them shorter). 12 s sits between the two.
      const root = await hubRoot();
      const script = join(temp.dir, 'upload-without-native-crypto.mjs');
      await writeFile(script, UPLOAD_WITHOUT_NATIVE_CRYPTO);
      const settings = { ...options(root), credentials: undefined, privateKey: sshd.clientPrivateKey, count: 200 };
      const child = spawnSync(process.execPath, [script, pathToFileURL(join(import.meta.dirname, '../../src/core/hub/sftp-hub-client.ts')).href], {
        input: JSON.stringify(settings),
        encoding: 'utf8',
        timeout: 45_000,
      });
      expect(child.error, 'the child did not finish within 45 s').toBeUndefined();
      expect(child.stderr).toBe('');
      const result = JSON.parse(child.stdout) as { bindingAvailable: boolean; elapsedMs: number };
      expect(result.bindingAvailable).toBe(false);
      expect(result.elapsedMs, 'is setNoDelay(true) missing?').toBeLessThan(12_000);
      expect((await readdir(join(root, 'in'))).length).toBe(200);
    }, 60_000);

    it('uploads in parallel on the pool', async () => {
      const root = await hubRoot();
      const hub = client(root, { connections: 3 });
      await Promise.all(Array.from({ length: 30 }, (_, i) => hub.upload(document(`p-${i}`, Buffer.alloc(100_000, i)))));
      const names = await readdir(join(root, 'in'));
      expect(names.length).toBe(30);
      expect(names.every((name) => !name.startsWith('.'))).toBe(true);
      expect((await readFile(join(root, 'in', 'p-7__p-7.pdf'))).equals(Buffer.alloc(100_000, 7))).toBe(true);
    });
  });

  describe('event feed', () => {
    it('returns status files in seq order with their files, downloads them, and deletes them once acknowledged', async () => {
      const root = await hubRoot();
      const hub = client(root);
      const s3 = await writeStatus(root, event(3, 'doc-b', 'delivered'), { 'IT01234567890_00001_RC_001.xml': '<RicevutaConsegna/>' });
      const s1 = await writeStatus(root, event(1, 'doc-a', 'received'));
      const s2 = await writeStatus(root, event(2, 'doc-a', 'rejected', { errors: [{ code: '00404', description: 'Fattura duplicata' }] }), {
        'IT01234567890_00002_NS_001.xml': '<NotificaScarto/>',
      });

      const firstTwo = await hub.events({ since: 0, limit: 2, timeoutSeconds: 0 });
      expect(firstTwo.events.map((e) => e.seq)).toEqual([1, 2]);
      expect(firstTwo.lastSeq).toBe(2); // never beyond what was returned: the rest comes next
      expect(firstTwo.events[1]).toMatchObject({ status: 'rejected', errors: [{ code: '00404' }], files: ['IT01234567890_00002_NS_001.xml'] });

      const all = await hub.events({ since: 0, limit: 10, timeoutSeconds: 0 });
      expect(all.events.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(all.lastSeq).toBe(3);

      expect((await hub.downloadFile('hub-doc-a', 'IT01234567890_00002_NS_001.xml')).toString()).toBe('<NotificaScarto/>');
      expect((await hub.downloadFile('hub-doc-b', 'IT01234567890_00001_RC_001.xml')).toString()).toBe('<RicevutaConsegna/>');

      await hub.acknowledge(2);
      expect((await readdir(join(root, 'out'))).sort()).toEqual([s3, 'doc-b__IT01234567890_00001_RC_001.xml'].sort());
      expect(await readdir(join(root, 'out'))).not.toContain(s1);
      expect(await readdir(join(root, 'out'))).not.toContain(s2);

      const rest = await hub.events({ since: 2, limit: 10, timeoutSeconds: 0 });
      expect(rest.events.map((e) => e.seq)).toEqual([3]);
      await hub.acknowledge(3);
      expect(await readdir(join(root, 'out'))).toEqual([]);
    });

    it('deletes on the next listing a status file an earlier acknowledgement left behind', async () => {
      const root = await hubRoot();
      const hub = client(root);
      await writeStatus(root, event(1, 'doc-a', 'received'));
      await hub.events({ since: 0, limit: 10, timeoutSeconds: 0 });
      await hub.acknowledge(1);
      // As if its deletion had failed (or the agent crashed between commit and delete).
      const leftover = await writeStatus(root, event(1, 'doc-a', 'received'), { 'note.xml': '<x/>' });
      const page = await hub.events({ since: 1, limit: 10, timeoutSeconds: 0 });
      expect(page.events).toEqual([]);
      expect(await readdir(join(root, 'out'))).not.toContain(leftover);
      expect(await readdir(join(root, 'out'))).not.toContain('doc-a__note.xml');
    });

    it('after a restart, deletes the status files at or below the committed cursor it is asked from', async () => {
      const root = await hubRoot();
      // Applied and committed by an agent that died before deleting them.
      const committed = [
        await writeStatus(root, event(1, 'doc-a', 'received')),
        await writeStatus(root, event(2, 'doc-a', 'delivered'), { 'doc_RC_001.xml': '<x/>' }),
      ];
      const pending = await writeStatus(root, event(3, 'doc-b', 'received'));
      const hub = client(root);
      const page = await hub.events({ since: 2, limit: 10, timeoutSeconds: 0 });
      expect(page.events.map((e) => e.seq)).toEqual([3]);
      const left = await readdir(join(root, 'out'));
      expect(left).toEqual([pending]);
      for (const name of committed) expect(left).not.toContain(name);
    });

    it('moves a malformed status file to out/malformed/ and goes on with the rest', async () => {
      const root = await hubRoot();
      const warnings: string[] = [];
      const log = {
        info: () => undefined,
        warn: (message: string, meta?: object) => warnings.push(`${message} ${JSON.stringify(meta)}`),
        error: () => undefined,
      };
      const hub = client(root, { log });
      await writeStatus(root, event(1, 'doc-a', 'received'));
      await writeFile(join(root, 'out', '000000000002__doc-a__processing.json'), '{"seq": 2, "status": ');
      await writeFile(join(root, 'out', '000000000003__doc-a__sent.json'), JSON.stringify({ hello: 'world' }));
      await writeFile(join(root, 'out', '000000000004__doc-a__sent.json'), JSON.stringify(event(4, 'doc-a', 'delivered')));
      await writeFile(join(root, 'out', '000000000005__doc-a__sent.json'), JSON.stringify(event(5, 'doc-a', 'sent', { files: ['../../etc/passwd'] })));
      await writeStatus(root, event(6, 'doc-a', 'delivered'));

      const page = await hub.events({ since: 0, limit: 10, timeoutSeconds: 0 });
      expect(page.events.map((e) => e.seq)).toEqual([1, 6]);
      expect((await readdir(join(root, 'out', 'malformed'))).sort()).toEqual([
        '000000000002__doc-a__processing.json',
        '000000000003__doc-a__sent.json',
        '000000000004__doc-a__sent.json',
        '000000000005__doc-a__sent.json',
      ]);
      expect(warnings.join('\n')).toContain('not JSON');
      expect(warnings.join('\n')).toContain('its name says seq 4');
      expect(warnings.length).toBe(4);
    });

    it('long-polls: answers as soon as a status file appears, and after the timeout when none does', async () => {
      const root = await hubRoot();
      const hub = client(root, { pollIntervalMs: 100 });
      const quiet = Date.now();
      expect((await hub.events({ since: 0, limit: 10, timeoutSeconds: 1 })).events).toEqual([]);
      expect(Date.now() - quiet).toBeGreaterThanOrEqual(950);

      const polling = hub.events({ since: 0, limit: 10, timeoutSeconds: 20 });
      await pause(400); // the poll has looked at least once (no signal says so; if not, it finds the file at once)
      await writeStatus(root, event(7, 'doc-z', 'received'));
      const written = Date.now();
      const page = await polling;
      expect(page.events.map((e) => e.seq)).toEqual([7]);
      // Polled every 100 ms, the file is found within a few polls; a poll that waited for its timeout
      // would answer 20 s after it began. 10 s is far above the polls on a loaded machine.
      expect(Date.now() - written).toBeLessThan(10_000);
    });

    it('ends a long poll when its signal is aborted', async () => {
      const hub = client(await hubRoot(), { pollIntervalMs: 100 });
      const controller = new AbortController();
      const polling = hub.events({ since: 0, limit: 10, timeoutSeconds: 20 }, controller.signal);
      setTimeout(() => controller.abort(new Error('stopping')), 200);
      await expect(polling).rejects.toThrow('stopping');
    });

    it('documents() has nothing to look up over SFTP; account() checks the folders', async () => {
      const root = await hubRoot();
      const hub = client(root);
      expect(await hub.documents(['doc-a'])).toEqual([]);
      expect(await hub.account()).toEqual({
        account: { id: sshd.username, name: sshd.host },
        key: { id: 'sftp', expiresAt: null },
        credits: { remaining: null },
        companies: [],
      });
      expect(await readdir(join(root, 'in'))).toEqual([]); // the probe file is gone
    });
  });

  describe('failures', () => {
    it('a rotated host key is refused with both fingerprints (host_key)', async () => {
      const server = await ownSshd('rotated');
      const pinned = server.hostKeyFingerprint;
      const hub = client(await hubRoot(), {}, server);
      await hub.account();
      await server.kill();
      const rotated = await server.rotateHostKey();
      await server.start();

      const error = await failure(hub.upload(document('k', 'x')));
      expect(error.kind).toBe('host_key');
      expect(error.message).toContain(`presented host key ${rotated}`);
      expect(error.message).toContain(`the pinned key is ${pinned}`);
      expect(error.message).toContain('hub.sftp.hostKeyFingerprint');
    });

    it('a key the server does not know, or a wrong password, is an auth failure without the secret', async () => {
      const root = await hubRoot();
      const stranger = await failure(client(root, { credentials: () => ({ privateKey: sshd.strangerPrivateKey }) }).account());
      expect(stranger.kind).toBe('auth');
      expect(stranger.message).toBe(`the SFTP server ${sshd.host}:${sshd.port} refused the key for user ${sshd.username}`);

      const password = 'Sup3r-Secret-Passw0rd';
      const wrong = await failure(client(root, { credentials: () => ({ password }) }).events({ since: 0, limit: 1, timeoutSeconds: 0 }));
      expect(wrong.kind).toBe('auth');
      expect(wrong.message).toContain(`refused the password for user ${sshd.username}`);
      expect(JSON.stringify({ message: wrong.message, details: wrong.details })).not.toContain(password);

      const none = await failure(client(root, { credentials: () => ({ password: null, privateKey: null }) }).account());
      expect(none.kind).toBe('auth');
      expect(none.code).toBe('no_credentials');
    });

    it('a missing in/ or out/ holds as permissions, naming the folder', async () => {
      const noIn = await hubRoot(['out']);
      const upload = await failure(client(noIn).upload(document('k', 'x')));
      expect(upload.kind).toBe('permissions');
      expect(upload.message).toContain('the folder in/ does not exist');

      const noOut = await hubRoot(['in']);
      const feed = await failure(client(noOut).events({ since: 0, limit: 10, timeoutSeconds: 0 }));
      expect(feed.kind).toBe('permissions');
      expect(feed.message).toContain('out/');

      const probe = await failure(client(noIn).account());
      expect(probe.kind).toBe('permissions');
      expect(probe.message).toContain('in/');
    });

    it('a file the hub named but did not write is reported by name', async () => {
      const hub = client(await hubRoot());
      const error = await failure(hub.downloadFile('hub-doc-x', 'missing.xml'));
      expect(error.kind).toBe('transient');
      expect(error.message).toContain('out/hub-doc-x__missing.xml');
    });

    it('sshd killed: transient; the next call after the restart works on a new connection', async () => {
      const server = await ownSshd('killed');
      const root = await hubRoot();
      const hub = client(root, {}, server);
      await hub.upload(document('before', 'x'));
      await hub.events({ since: 0, limit: 10, timeoutSeconds: 0 });
      await server.kill();

      const down = await failure(hub.upload(document('during', 'x')));
      expect(down.kind).toBe('transient');
      expect(down.message).toMatch(/unreachable|connection/);
      expect((await failure(hub.events({ since: 0, limit: 10, timeoutSeconds: 0 }))).kind).toBe('transient');

      await server.start();
      await hub.upload(document('after', 'x'));
      await writeStatus(root, event(1, 'after', 'received'));
      expect((await hub.events({ since: 0, limit: 10, timeoutSeconds: 0 })).events.map((e) => e.seq)).toEqual([1]);
      expect((await readdir(join(root, 'in'))).sort()).toEqual(['after__after.pdf', 'before__before.pdf']);
    });

    it('a server that never completes the handshake is transient after the connect timeout', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as AddressInfo).port;
        const hub = client(await hubRoot(), { port, connectTimeoutMs: 500 });
        const started = Date.now();
        const error = await failure(hub.account());
        expect(error.kind).toBe('transient');
        expect(error.message).toBe(`the SFTP server ${sshd.host}:${port} did not complete the SSH handshake within 0.5 s`);
        // The 0.5 s connect timeout ended it, not the outer guard (5 s more) nor the request timeout.
        expect(Date.now() - started).toBeLessThan(4500);
      } finally {
        silent.close();
      }
    });

    it('nothing listening is transient, with a readable reason', async () => {
      const port = await freePort();
      const error = await failure(client(await hubRoot(), { port }).account());
      expect(error.kind).toBe('transient');
      expect(error.message).toBe(
        `the SFTP server ${sshd.host}:${port} is unreachable: connection refused (is the SFTP server running, and is the port right?)`,
      );
    });
  });

  describe('probe and fingerprint', () => {
    it('fetchHostKeyFingerprint shows what ssh-keygen says', async () => {
      expect(await fetchHostKeyFingerprint(sshd.host, sshd.port)).toEqual({ fingerprint: sshd.hostKeyFingerprint, keyType: 'ssh-ed25519' });
    });

    it('testSftpConnection passes every stage on a good setup', async () => {
      const check = await testSftpConnection(options(await hubRoot()));
      expect(check.ok).toBe(true);
      expect(check.stages.map((s) => [s.stage, s.ok])).toEqual([
        ['dns', true],
        ['tcp', true],
        ['host_key', true],
        ['auth', true],
        ['permissions', true],
      ]);
    });

    it('testSftpConnection stops at the failing stage and says what failed', async () => {
      const root = await hubRoot();
      const lastStage = async (overrides: Partial<SftpHubClientOptions>, hubFolder = root) => {
        const check = await testSftpConnection(options(hubFolder, overrides));
        expect(check.ok).toBe(false);
        expect(check.stages.slice(0, -1).every((s) => s.ok)).toBe(true);
        return check.stages.at(-1)!;
      };

      expect(await lastStage({ host: 'no-such-host.invalid', connectTimeoutMs: 3000 })).toMatchObject({
        stage: 'dns',
        ok: false,
        message: expect.stringContaining('no-such-host.invalid'),
      });
      expect(await lastStage({ port: await freePort() })).toMatchObject({ stage: 'tcp', message: expect.stringContaining('nothing accepts connections') });
      const wrongPin = `SHA256:${'B'.repeat(43)}`;
      const hostKey = await lastStage({ hostKeyFingerprint: wrongPin });
      expect(hostKey.stage).toBe('host_key');
      expect(hostKey.message).toContain(sshd.hostKeyFingerprint);
      expect(hostKey.message).toContain(wrongPin);
      expect(await lastStage({ credentials: () => ({ privateKey: sshd.strangerPrivateKey }) })).toMatchObject({
        stage: 'auth',
        message: expect.stringContaining('refused the key'),
      });
      expect(await lastStage({}, await hubRoot(['in']))).toMatchObject({ stage: 'permissions', message: expect.stringContaining('out/') });
    });

    it('recapito sftp-fingerprint prints the fingerprint, the line to paste, and asks to compare it', async () => {
      const printed: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
      try {
        expect(await sftpFingerprintCommand([sshd.host, '--port', String(sshd.port)])).toBe(0);
      } finally {
        spy.mockRestore();
      }
      const output = printed.join('\n');
      expect(output).toContain(`"hostKeyFingerprint": "${sshd.hostKeyFingerprint}"`);
      expect(output).toContain('ssh-ed25519');
      expect(output).toMatch(/compare it with the fingerprint your hub provider published/);

      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect(await sftpFingerprintCommand([])).toBe(2);
        expect(await sftpFingerprintCommand([sshd.host, '--port', String(await freePort())])).toBe(1);
      } finally {
        errors.mockRestore();
      }
    });
  });
});

/**
 * Runs in a child process: blocks ssh2's native crypto binding, then uploads `count` small files
 * on one connection and prints how long it took.
 */
const UPLOAD_WITHOUT_NATIVE_CRYPTO = `
import { registerHooks, createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
registerHooks({
  resolve(specifier, context, next) {
    if (specifier.endsWith('sshcrypto.node')) throw new Error('native ssh2 crypto disabled for this run');
    return next(specifier, context);
  },
});
const settings = JSON.parse(readFileSync(0, 'utf8'));
const { createSftpHubClient } = await import(process.argv[2]);
const ssh2Crypto = createRequire(process.argv[2])('ssh2/lib/protocol/crypto.js');
const client = createSftpHubClient({ ...settings, connections: 1, credentials: () => ({ privateKey: settings.privateKey }) });
await client.account();
const started = Date.now();
for (let i = 0; i < settings.count; i += 1) {
  await client.upload({ idempotencyKey: 'nd-' + i, bytes: Buffer.from('document ' + i), fileName: 'nd-' + i + '.pdf', contentType: 'application/pdf', source: 'api' });
}
const elapsedMs = Date.now() - started;
await client.close();
process.stdout.write(JSON.stringify({ bindingAvailable: ssh2Crypto.bindingAvailable, elapsedMs }));
`;
