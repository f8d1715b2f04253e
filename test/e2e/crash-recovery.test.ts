// kill -9 of the agent at random moments during a 500-file drop-and-send, restarted each time:
// every file reaches the hub exactly once, none is left behind, and no file is both left in the
// drop folder and sent. The agent is a real child process (`recapito serve`) on a real data folder.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, rename, writeFile, readFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { saveSettings } from '../../src/core/config/config-store.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { TRANSPORTS, sftpSettings, testSettings, type Transport } from '../helpers/harness.ts';
import { needsSshd, startSshd, type Sshd } from '../helpers/sshd.ts';
import { needs } from '../helpers/system-tools.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { openDatabase } from '../../src/core/store/database.ts';
import { AGENT_NODE_FLAGS } from '../../src/cli/agent-node-flags.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const FILES = 500;

let root: string;
let cleanup: () => Promise<void>;
let hub: SandboxHub;
let sshd: Sshd | null = null;
const needsFor = (transport: Transport) => (transport === 'sftp' ? needsSshd() : needs());
const transports = TRANSPORTS.filter((transport) => needsFor(transport).ok);

beforeAll(async () => {
  ({ dir: root, cleanup } = await makeTempDir('recapito-crash-'));
  if (transports.includes('sftp')) sshd = await startSshd(join(root, 'sshd'));
  hub = await createSandboxHub({ dataDir: join(root, 'hub'), ...(sshd ? { sftp: { rootDir: join(root, 'hub-sftp'), pollIntervalMs: 100 } } : {}) });
});
afterAll(async () => {
  await hub.close();
  await sshd?.stop();
  await cleanup();
});

function startAgent(dataDir: string, logFile: string): ChildProcess {
  const child = spawn(process.execPath, [...AGENT_NODE_FLAGS, CLI, 'serve', '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const transport of TRANSPORTS)
  needsFor(transport).describe(`crash safety over ${transport}`, () => {
    it(`kill -9 at random moments during a ${FILES}-file drop: each file reaches the hub exactly once`, async () => {
      const dataDir = join(root, transport, 'agent');
      const dropDir = join(root, transport, 'drop');
      const staging = join(root, transport, 'staging');
      const before = hub.listDocuments().length;
      await mkdir(dropDir, { recursive: true });
      await mkdir(staging, { recursive: true });
      const settings = transport === 'sftp' ? sftpSettings(testSettings(hub, dropDir), sshd!, join(root, 'hub-sftp')) : testSettings(hub, dropDir);
      settings.intake.rescanIntervalMs = 500;
      settings.hub.eventsLongPollSeconds = 1;
      await mkdir(dataDir, { recursive: true });
      await saveSettings(join(dataDir, 'config.json'), settings);
      const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
      await secrets.set('hubApiKey', hub.createApiKey({ name: 'crash-test' }));
      if (sshd) await secrets.set('sftpPrivateKey', sshd.clientPrivateKey);

      const names: string[] = [];
      for (let i = 0; i < FILES; i += 1) {
        const name = `${transport}-fattura-${String(i).padStart(4, '0')}.pdf`;
        await writeFile(join(staging, name), makePdf(`Fattura ${i} — crash test over ${transport}`));
        names.push(name);
      }

      const logFile = join(root, `agent-output-${transport}.log`);
      let agent = startAgent(dataDir, logFile);
      let dropped = 0;
      let kills = 0;
      // Drop in batches (rename is atomic, as an ERP writing elsewhere and moving in would do) while
      // killing the agent at random moments, through start-up, intake, upload and status sync.
      while (dropped < FILES || kills < 8) {
        const batch = names.slice(dropped, dropped + 40 + Math.floor(Math.random() * 40));
        for (const name of batch) await rename(join(staging, name), join(dropDir, name));
        dropped += batch.length;
        await pause(150 + Math.random() * 1200);
        await killHard(agent);
        kills += 1;
        agent = startAgent(dataDir, logFile);
      }

      try {
        await waitFor('every file at the hub', () => hub.listDocuments().length - before >= FILES, 120_000, 250);
        const db = openDatabase(join(dataDir, 'recapito.sqlite'));
        try {
          await waitFor(
            'every document delivered',
            () => {
              const row = db.prepare(`SELECT COUNT(*) AS n FROM documents WHERE state = 'delivered'`).get() as { n: number };
              return row.n === FILES;
            },
            120_000,
            250,
          );
          const states = db.prepare('SELECT state, COUNT(*) AS n FROM documents GROUP BY state').all();
          expect(states).toEqual([{ state: 'delivered', n: FILES }]);
        } finally {
          db.close();
        }
        await waitFor('drop folder emptied', async () => (await readdir(dropDir)).filter((n) => n.endsWith('.pdf')).length === 0, 30_000);
        if (transport === 'sftp') {
          // Every status file was applied and then deleted from the hub's out/ folder.
          await waitFor('out/ drained', async () => (await readdir(join(root, 'hub-sftp', 'out'))).filter((n) => n.endsWith('.json')).length === 0, 30_000);
        }
      } finally {
        await killHard(agent);
      }

      const atHub = hub.listDocuments().filter((d) => d.fileName.startsWith(`${transport}-`));
      expect(atHub).toHaveLength(FILES);
      expect(new Set(atHub.map((d) => d.idempotencyKey)).size).toBe(FILES);
      expect(new Set(atHub.map((d) => d.fileName))).toEqual(new Set(names));
      // No file both left in the drop folder and sent: all in sent/, none in errors/, none left.
      const sent = (await readdir(join(dropDir, 'sent'))).sort();
      expect(sent).toEqual([...names].sort());
      expect(await readdir(join(dropDir, 'errors')).catch(() => [])).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(8);
      const output = await readFile(logFile, 'utf8');
      expect(output).not.toMatch(/Unhandled|TypeError|ReferenceError/);
    }, 300_000);
  });
