// End to end through the CLI, as a person or another tool runs it: `npm run demo -- --dir DIR`
// starts the sandbox hub and the agent, writes DIR/api-url and DIR/api-token, and watches
// DIR/drop. The official samples and a PDF dropped there end in the states the sandbox rules
// give, each received once by the hub; `recapito send` and `status` find the demo without --data;
// Ctrl+C (to the process group) and SIGTERM to npm alone both stop everything cleanly; a restarted
// demo keeps its UI and printer addresses.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { SHARED_FIXTURES, distinctSamples, fixture, makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { SandboxAdminClient, SandboxHttpsClient } from '../../src/sandbox-hub/sandbox-hub-client.ts';
import type { DocumentsPage } from '../../src/contract/local-api.ts';
import { openDatabase } from '../../src/core/store/database.ts';
import { AGENT_NODE_FLAGS } from '../../src/cli/agent-node-flags.ts';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let demo: ChildProcess | null = null;
let cleanup: (() => Promise<void>) | null = null;

afterAll(async () => {
  if (demo?.pid && demo.exitCode === null && demo.signalCode === null) process.kill(-demo.pid, 'SIGKILL');
  await cleanup?.();
});

describe('CLI demo', () => {
  it('takes the official samples and a PDF from the drop folder to their SDI states, once each', async () => {
    const temp = await makeTempDir('recapito-demo-');
    cleanup = temp.cleanup;
    const dir = temp.dir;
    let output = '';
    // The running agents this demo and the CLI see: only this demo (other tests run agents too).
    const env = { ...process.env, RECAPITO_RUNNING_DIR: join(dir, 'running') };
    const startDemo = (): ChildProcess => {
      output = '';
      const child = spawn('npm', ['run', '--silent', 'demo', '--', '--dir', dir], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return child;
    };
    demo = startDemo();

    const apiUrl = (await waitFor('DIR/api-url', () => readFile(join(dir, 'api-url'), 'utf8').catch(() => ''), 60_000)).trim();
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await waitFor('the UI address printed', () => output.includes(`${apiUrl}/#token=`), 10_000);
    expect(output).toContain(join(dir, 'drop'));

    const api = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${apiUrl}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    };

    for (const sample of distinctSamples()) await writeFile(join(dir, 'drop', sample.name), sample.bytes);
    await writeFile(join(dir, 'drop', 'ricevuta.pdf'), makePdf('Fattura PDF demo'));
    const expected: Record<string, string> = {
      'IT01234567890_FPA01.xml': 'accepted',
      'IT01234567890_FPA02.xml': 'accepted',
      'IT01234567890_FPR01.xml': 'delivered',
      'ricevuta.pdf': 'delivered',
    };
    const started = Date.now();
    const final = await waitFor(
      'every document in its final state',
      async () => {
        const page = await api<DocumentsPage>('/documents?limit=100');
        const done = Object.entries(expected).every(([name, state]) => page.documents.some((d) => d.name === name && d.state === state));
        return done ? page : null;
      },
      60_000,
      200,
    );
    // The demo's simulated SDI is quick (delays ≤ 2 s per step), but not instant.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(final.documents).toHaveLength(4);

    const hubDir = join(dir, 'sandbox-hub');
    const hubUrl = (await readFile(join(hubDir, 'url'), 'utf8')).trim();
    const admin = new SandboxAdminClient(
      await SandboxHttpsClient.fromFiles(hubUrl, join(hubDir, 'tls', 'ca.pem')),
      (await readFile(join(hubDir, 'admin-token'), 'utf8')).trim(),
    );
    const atHub = await admin.listDocuments();
    expect(atHub).toHaveLength(4);
    for (const document of final.documents) expect(atHub.filter((d) => d.idempotencyKey === document.id)).toHaveLength(1);
    expect((await readdir(join(dir, 'drop', 'sent'))).sort()).toEqual(Object.keys(expected).sort());

    // `recapito send` and `recapito status` talk to the running agent through its local API.
    // Without --data: the demo listed itself among the running agents.
    const cli = (...args: string[]) => execFileAsync(process.execPath, [...AGENT_NODE_FLAGS, join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env });
    const extra = join(dir, 'extra.pdf');
    await writeFile(extra, makePdf('sent with recapito send'));
    const sent = await cli('send', extra);
    const sentId = /^(\S+)\s+queued\s+extra\.pdf/m.exec(sent.stdout)?.[1];
    expect(sentId, sent.stdout).toBeTruthy();
    await waitFor('the sent file delivered', async () => (await api<{ state: string }>(`/documents/${sentId}`)).state === 'delivered', 30_000, 200);
    const status = JSON.parse((await cli('status', '--json')).stdout) as { counts: Record<string, number>; hold: unknown };
    expect(status.counts).toEqual({ accepted: 2, delivered: 3 });
    expect(status.hold).toBeNull();
    const history = (await cli('status', sentId!)).stdout;
    expect(history).toContain('extra.pdf  delivered');
    expect(history).toMatch(/_RC_\w+\.xml/);
    const invalid = await cli('send', join(SHARED_FIXTURES, 'SOURCES.md'), '--data', join(dir, 'agent')).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect((invalid as { code: number }).code).toBe(1);
    expect((invalid as { stdout: string }).stdout).toMatch(/invalid/);

    // Neither the hub API key nor the local API token ever reaches the log.
    const secretsFile = JSON.parse(await readFile(join(dir, 'agent', 'secrets.json'), 'utf8')) as { secrets: { hubApiKey: string } };
    const agentLog = await readFile(join(dir, 'agent', 'logs', 'recapito.log'), 'utf8');
    expect(agentLog).toContain('agent started'); // the log is written, so its not containing secrets means something
    expect(agentLog).not.toContain(secretsFile.secrets.hubApiKey);
    expect(agentLog).not.toContain(token);
    expect(await readFile(join(dir, 'agent', 'config.json'), 'utf8')).not.toContain(secretsFile.secrets.hubApiKey);

    // Ctrl+C reaches the whole process group (npm and node, each once; npm forwards it to node
    // again). The agent's clean stop shows in its log as the last event, written only on a clean stop.
    await stopAndCheck(demo, () => process.kill(-demo!.pid!, 'SIGINT'));
    const printerUrl = await readFile(join(dir, 'printer-url'), 'utf8');

    // Restarted: the same UI address and printer address (an installed print queue keeps working).
    demo = startDemo();
    await waitFor('the restarted demo', () => output.includes('Press Ctrl+C'), 60_000);
    expect(output).toContain(`UI:            ${apiUrl}/#token=${token}`);
    expect(output).not.toContain('NOTE: port moved');
    expect(await readFile(join(dir, 'printer-url'), 'utf8')).toBe(printerUrl);
    expect(output).toContain('lp -d Recapito-Demo_Srl FILE');

    // As the README says: the original FPA02 is the same invoice as FPA01 (number 123 of 2017),
    // so it is refused as a duplicate before it is sent, and moved to errors/ with the reason.
    await writeFile(join(dir, 'drop', 'IT01234567890_FPA02.xml'), fixture('fatturapa', 'IT01234567890_FPA02.xml'));
    const duplicate = await waitFor(
      'the original FPA02 refused',
      async () => (await api<DocumentsPage>('/documents?state=invalid')).documents.find((d) => d.name === 'IT01234567890_FPA02.xml') ?? null,
      30_000,
      200,
    );
    expect(duplicate.reason).toMatch(/already captured as "IT01234567890_FPA01\.xml".*00404/);
    await waitFor('FPA02 in errors/', async () =>
      (await readdir(join(dir, 'drop', 'errors')).catch((): string[] => [])).includes('IT01234567890_FPA02.xml.error.txt'),
    );

    // SIGTERM to the npm process alone (a service manager, `kill <npm pid>`) stops the demo too.
    await stopAndCheck(demo, () => process.kill(demo!.pid!, 'SIGTERM'));

    async function stopAndCheck(child: ChildProcess, send: () => void): Promise<void> {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      send();
      await exited;
      await waitFor('the demo to report its stop', () => output.includes('Stopping'), 10_000);
      const db = openDatabase(join(dir, 'agent', 'recapito.sqlite'));
      try {
        await waitFor(
          'agent.stopped recorded',
          () => (db.prepare('SELECT type FROM events ORDER BY seq DESC LIMIT 1').get() as { type: string }).type === 'agent.stopped',
          10_000,
        );
      } finally {
        db.close();
      }
      // Nothing of it is left: the local API no longer answers.
      await waitFor(
        'the local API closed',
        () =>
          fetch(`${apiUrl}/api/v1/health`).then(
            () => false,
            () => true,
          ),
        10_000,
      );
    }
  }, 180_000);
});
