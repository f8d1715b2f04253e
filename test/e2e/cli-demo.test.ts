// End to end through the CLI, as a person or another tool runs it: `npm run demo -- --dir DIR`
// starts the sandbox hub and the agent, writes DIR/api-url and DIR/api-token, and watches
// DIR/drop. The official samples and a PDF dropped there end in the states the sandbox rules
// give, each received once by the hub; SIGINT stops everything cleanly.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { FATTURAPA_SAMPLES, SHARED_FIXTURES, makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { SandboxAdminClient, SandboxHttpsClient } from '../../src/sandbox-hub/sandbox-hub-client.ts';
import type { DocumentsPage } from '../../src/contract/local-api.ts';
import { openDatabase } from '../../src/core/store/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let demo: ChildProcess | null = null;
let cleanup: (() => Promise<void>) | null = null;

afterAll(async () => {
  if (demo?.pid && demo.exitCode === null && demo.signalCode === null) process.kill(-demo.pid, "SIGKILL");
  await cleanup?.();
});

describe('CLI demo', () => {
  it('takes the official samples and a PDF from the drop folder to their SDI states, once each', async () => {
    const temp = await makeTempDir('recapito-demo-');
    cleanup = temp.cleanup;
    const dir = temp.dir;
    let output = '';
    demo = spawn('npm', ['run', '--silent', 'demo', '--', '--dir', dir], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

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

    for (const sample of FATTURAPA_SAMPLES) await copyFile(join(SHARED_FIXTURES, 'fatturapa', sample), join(dir, 'drop', sample));
    await writeFile(join(dir, 'drop', 'ricevuta.pdf'), makePdf('Fattura PDF demo'));
    const expected: Record<string, string> = {
      'IT01234567890_FPA01.xml': 'accepted',
      'IT01234567890_FPA02.xml': 'accepted',
      'IT01234567890_FPR01.xml': 'delivered',
      'ricevuta.pdf': 'delivered',
    };
    const started = Date.now();
    const final = await waitFor('every document in its final state', async () => {
      const page = await api<DocumentsPage>('/documents?limit=100');
      const done = Object.entries(expected).every(([name, state]) => page.documents.some((d) => d.name === name && d.state === state));
      return done ? page : null;
    }, 60_000, 200);
    // The demo's simulated SDI is quick (delays ≤ 2 s per step), but not instant.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(final.documents).toHaveLength(4);

    const hubDir = join(dir, 'sandbox-hub');
    const hubUrl = (await readFile(join(hubDir, 'url'), 'utf8')).trim();
    const admin = new SandboxAdminClient(await SandboxHttpsClient.fromFiles(hubUrl, join(hubDir, 'tls', 'ca.pem')), (await readFile(join(hubDir, 'admin-token'), 'utf8')).trim());
    const atHub = await admin.listDocuments();
    expect(atHub).toHaveLength(4);
    for (const document of final.documents) expect(atHub.filter((d) => d.idempotencyKey === document.id)).toHaveLength(1);
    expect((await readdir(join(dir, 'drop', 'sent'))).sort()).toEqual(Object.keys(expected).sort());

    // Ctrl+C reaches the whole process group (npm, the shell, node). npm reports the signal as its
    // own exit; the agent's clean stop shows in its log as the last event, written only on a clean stop.
    const exited = new Promise<void>((resolve) => demo!.once('exit', () => resolve()));
    process.kill(-demo.pid!, 'SIGINT');
    await exited;
    await waitFor('the demo to report its stop', () => output.includes('Stopping'), 10_000);
    const db = openDatabase(join(dir, 'agent', 'recapito.sqlite'));
    try {
      await waitFor('agent.stopped recorded', () => (db.prepare('SELECT type FROM events ORDER BY seq DESC LIMIT 1').get() as { type: string }).type === 'agent.stopped', 10_000);
    } finally {
      db.close();
    }
  }, 120_000);
});
