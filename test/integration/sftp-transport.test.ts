// The SFTP transport end to end, through a real OpenSSH server: the hub never sees a partial
// upload even when sshd dies mid-batch; a changed host key, refused credentials or an unusable
// in/ folder hold the queue with the reason and clear by themselves when fixed; a malformed status
// file is moved aside; a status re-read after a crash before its deletion is applied once.
import { afterEach, expect, it } from 'vitest';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startHarness, sftpSettings, type Harness } from '../helpers/harness.ts';
import { needsSshd } from '../helpers/sshd.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { createAgent } from '../../src/core/agent/agent.ts';
import { createSftpHubClient } from '../../src/core/hub/sftp-hub-client.ts';
import type { HubClient } from '../../src/core/hub/hub-client.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { createLogger } from '../../src/core/log/logger.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sftpRoot = (h: Harness) => h.settings.hub.sftp!.root;
const byName = (h: Harness, name: string) => h.agent.documents({ limit: 500 }).documents.find((d) => d.name === name);

needsSshd().describe('SFTP transport', () => {
  it('sshd killed during a batch: no partial file ever appears in in/, every document arrives once', async () => {
    const h = (harness = await startHarness({ transport: 'sftp' }));
    const originals = new Map<string, Buffer>();
    for (let i = 0; i < 40; i += 1) originals.set(`big-${i}.pdf`, makePdf(`batch ${i} `.repeat(20_000 + i)));

    // Watch in/ as the hub does: every visible (non-dot) file must be whole.
    const partials: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const name of await readdir(join(sftpRoot(h), 'in')).catch(() => [] as string[])) {
          if (name.startsWith('.')) continue;
          const original = originals.get(decodeURIComponent(name.split('__')[1] ?? ''));
          const size = (await stat(join(sftpRoot(h), 'in', name)).catch(() => null))?.size;
          if (original && size !== undefined && size !== original.length) partials.push(`${name}: ${size}/${original.length}`);
        }
        await pause(2);
      }
    })();

    for (const [name, bytes] of originals) await writeFile(join(h.dropDir, name), bytes);
    await waitFor('uploads under way', () => h.hub.listDocuments().length >= 3, 20_000, 10);
    await h.sshd!.kill();
    await pause(1500);
    await h.sshd!.start();
    await waitFor(
      'all delivered',
      () => h.agent.documents({ limit: 100 }).documents.filter((d) => d.state === 'delivered').length === originals.size,
      60_000,
      100,
    );
    watching = false;
    await watcher;

    expect(partials).toEqual([]);
    const atHub = h.hub.listDocuments();
    expect(atHub).toHaveLength(originals.size);
    for (const record of atHub) {
      const original = originals.get(record.fileName)!;
      expect(record.sha256).toBe(createHash('sha256').update(original).digest('hex'));
    }
  }, 120_000); // its waits allow 80 s: 40 documents over SFTP, an outage and the retries took over 30 s under load

  it('a changed host key is refused with both fingerprints and holds the queue until the new key is pinned', async () => {
    const h = (harness = await startHarness({ transport: 'sftp' }));
    const pinned = h.sshd!.hostKeyFingerprint;
    await h.sshd!.kill();
    const presented = await h.sshd!.rotateHostKey();
    await h.sshd!.start();
    await writeFile(join(h.dropDir, 'a.pdf'), makePdf('host key'));
    const document = await waitFor('captured', () => byName(h, 'a.pdf'));
    // While sshd was down the queue may first have held as "unreachable"; the probe that meets the
    // new key lets the upload try, and its refusal holds the queue for the key.
    const hold = await waitFor('the queue held for the host key', () => (h.agent.status().hold?.code === 'host_key' ? h.agent.status().hold : null), 30_000);
    await h.waitForState(document.id, 'held', 30_000);
    expect(hold.code).toBe('host_key');
    expect(hold.reason).toContain(pinned);
    expect(hold.reason).toContain(presented);
    expect(h.hub.listDocuments()).toHaveLength(0);

    // The user confirms the new fingerprint: sending resumes.
    await h.restartAgent((s) => sftpSettings(s, h.sshd!, sftpRoot(h)));
    await h.waitForState(document.id, 'delivered', 30_000);
  });

  it('refused credentials hold the queue with the reason, and it resumes by itself once the right key is entered', async () => {
    const h = (harness = await startHarness({ transport: 'sftp' }));
    await h.agent.setCredentials({ sftpPrivateKey: h.sshd!.strangerPrivateKey });
    await writeFile(join(h.dropDir, 'b.pdf'), makePdf('credentials'));
    const document = await waitFor('captured', () => byName(h, 'b.pdf'));
    await h.waitForState(document.id, 'held', 30_000);
    expect(h.agent.status().hold?.code).toBe('auth');
    expect(h.agent.document(document.id)!.reason).toMatch(/refused|authenticat/i);
    await h.agent.setCredentials({ sftpPrivateKey: h.sshd!.clientPrivateKey });
    await h.waitForState(document.id, 'delivered', 30_000);
  });

  it('a wrong password holds the queue with the reason', async () => {
    const h = (harness = await startHarness({ transport: 'sftp', settings: (s) => ({ ...s, hub: { ...s.hub, sftp: { ...s.hub.sftp!, auth: 'password' } } }) }));
    await h.agent.setCredentials({ sftpPassword: 'not-the-password' });
    await writeFile(join(h.dropDir, 'c.pdf'), makePdf('password'));
    const document = await waitFor('captured', () => byName(h, 'c.pdf'));
    await h.waitForState(document.id, 'held', 30_000);
    expect(h.agent.status().hold?.code).toBe('auth');
    expect(h.hub.listDocuments()).toHaveLength(0);
  });

  it('an unusable in/ folder holds the queue with the reason and clears by itself when fixed', async () => {
    const h = (harness = await startHarness({ transport: 'sftp' }));
    const inDir = join(sftpRoot(h), 'in');
    await rename(inDir, `${inDir}.away`);
    await writeFile(inDir, 'not a folder'); // root writes anywhere: a file where the folder should be defeats even root
    await writeFile(join(h.dropDir, 'd.pdf'), makePdf('permissions'));
    const document = await waitFor('captured', () => byName(h, 'd.pdf'));
    await h.waitForState(document.id, 'held', 30_000);
    const hold = h.agent.status().hold!;
    expect(hold.code).toBe('permissions');
    expect(hold.reason).toMatch(/in\b/);
    await rm(inDir);
    await rename(`${inDir}.away`, inDir);
    await h.waitForState(document.id, 'delivered', 30_000);
  });

  it('a malformed status file is logged and moved aside; the other statuses still apply', async () => {
    const h = (harness = await startHarness({ transport: 'sftp' }));
    const outDir = join(sftpRoot(h), 'out');
    await writeFile(join(outDir, '000000000001__not-a-key__delivered.json'), '{ this is not json');
    await writeFile(join(h.dropDir, 'e.pdf'), makePdf('malformed neighbour'));
    const document = await waitFor('captured', () => byName(h, 'e.pdf'));
    await h.waitForState(document.id, 'delivered', 30_000);
    await waitFor('moved aside', async () =>
      (await readdir(join(outDir, 'malformed')).catch(() => [] as string[])).includes('000000000001__not-a-key__delivered.json'),
    );
    expect(await readdir(outDir)).not.toContain('000000000001__not-a-key__delivered.json');
    const log = await readFile(join(h.dataDir, 'logs', 'recapito.log'), 'utf8');
    expect(log).toMatch(/malformed/i);
  });

  it('a status re-read after a crash between its download and its deletion is applied once', async () => {
    const h = (harness = await startHarness({ transport: 'sftp', hub: { sdiDelaysMs: { processing: 0, sent: 0, outcome: 0 } } }));
    await h.agent.stop();
    // An agent that downloads and commits statuses but dies before deleting them from out/.
    const secrets = await createFileSecretStore(join(h.dataDir, 'secrets.json'), {});
    const log = createLogger({ dir: join(h.dataDir, 'logs'), level: 'debug', maxFileBytes: 1 << 20, maxFiles: 1 });
    const sftp = h.settings.hub.sftp!;
    const real = createSftpHubClient({
      ...sftp,
      pollIntervalMs: 200,
      keepaliveIntervalMs: 15_000,
      connectTimeoutMs: 5000,
      credentials: () => ({ privateKey: secrets.get('sftpPrivateKey') }),
    });
    const neverDeletes: HubClient = {
      transport: real.transport,
      endpoint: real.endpoint,
      account: (signal) => real.account(signal),
      upload: (request, signal) => real.upload(request, signal),
      events: (request, signal) => real.events(request, signal),
      acknowledge: async () => undefined, // the crash: statuses committed locally, never deleted at the hub
      documents: (ids, signal) => real.documents(ids, signal),
      downloadFile: (hubId, name, signal) => real.downloadFile(hubId, name, signal),
      close: () => real.close(),
    };
    const crashy = createAgent(h.settings, { dataDir: h.dataDir, secrets, log, hubClient: neverDeletes });
    await crashy.start();
    await writeFile(join(h.dropDir, 'f.pdf'), makePdf('applied once'));
    const document = await waitFor('captured', () => crashy.documents({ limit: 5 }).documents.find((d) => d.name === 'f.pdf'));
    await waitFor('delivered', () => crashy.store.documents.get(document.id)?.state === 'delivered', 30_000);
    const eventsBefore = crashy.document(document.id)!.events.filter((e) => e.type === 'document.hub_status').length;
    const statusFiles = (await readdir(join(sftpRoot(h), 'out'))).filter((n) => n.endsWith('.json'));
    expect(statusFiles.length).toBeGreaterThanOrEqual(4); // received, processing, sent, delivered: all still there
    await crashy.stop();

    // The next start reads them again: applied once, then deleted.
    const agent = await h.restartAgent();
    await waitFor('status files deleted', async () => (await readdir(join(sftpRoot(h), 'out'))).filter((n) => n.endsWith('.json')).length === 0, 30_000);
    const detail = agent.document(document.id)!;
    expect(detail.state).toBe('delivered');
    expect(detail.events.filter((e) => e.type === 'document.hub_status')).toHaveLength(eventsBefore);
    expect(detail.files.filter((f) => /_RC_/.test(f.name))).toHaveLength(1);
  });
});
