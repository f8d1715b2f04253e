// The approval commands as a person or a script runs them (docs/approval.md): `recapito approvers
// add|list|remove`, `recapito approve ID… --as NAME` with the PIN from a file or standard input, and
// `recapito refuse ID… --reason`, against a real agent and the sandbox hub through the local API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { apiRequest, startApiHarness, TEST_TOKEN } from '../helpers/local-api-request.ts';
import type { Settings } from '../../src/core/config/settings-schema.ts';
import { AGENT_NODE_FLAGS } from '../../src/cli/agent-node-flags.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
let h: Harness;
let port: number;
let dataDir: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const started = await startApiHarness({
    settings: (s: Settings) => ({ ...s, profiles: s.profiles.map((p) => ({ ...p, sending: 'manual' as const, dualControl: true })) }),
  });
  h = started.harness;
  port = started.api.port;
  close = started.close;
  // What `recapito serve` writes in its data folder, for the CLI to find the API.
  dataDir = join(h.root, 'cli-data');
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'api-url'), `http://127.0.0.1:${port}\n`);
  await writeFile(join(dataDir, 'api-token'), `${TEST_TOKEN}\n`);
});
afterAll(async () => {
  await close();
});

function recapito(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...AGENT_NODE_FLAGS, MAIN, ...args, '--data', dataDir],
      { env: { ...process.env, RECAPITO_RUNNING_DIR: join(h.root, 'running') } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

async function upload(text: string, submittedBy: string): Promise<string> {
  const answer = await apiRequest(port, '/api/v1/documents', {
    method: 'POST',
    body: makePdf(text),
    headers: { 'Content-Type': 'application/pdf', 'X-Filename': `${text}.pdf`, 'X-Submitted-By': submittedBy },
  });
  return (answer.json() as { id: string }).id;
}

describe('recapito approve, refuse, approvers', () => {
  it('registers approvers, approves with a PIN from stdin or a file, refuses with a reason', async () => {
    expect(await recapito(['approvers', 'add', 'Anna'], '1357\n')).toMatchObject({ code: 0, stdout: 'approver Anna added\n' });
    const pinFile = join(h.root, 'anna.pin');
    await writeFile(pinFile, '1357\n', { mode: 0o600 });
    // New PIN on the first line of stdin; the confirming approver's from a file.
    expect(await recapito(['approvers', 'add', 'Bruno', '--os-user', 'bruno', '--by', 'Anna', '--by-pin-file', pinFile], '8642\n')).toMatchObject({
      code: 0,
      stdout: 'approver Bruno added (OS user bruno)\n',
    });
    expect(await recapito(['approvers', 'add', 'Carla', '--by', 'Anna'], '5555\n1357\n')).toMatchObject({ code: 0 });
    const list = await recapito(['approvers', 'list']);
    expect(list.stdout).toMatch(/^Anna {2}since .*\nBruno {2}\(OS user bruno\) {2}since .*\nCarla {2}since /);
    expect(list.stdout).not.toContain('1357');

    // Released by Anna with `recapito send --as`: recorded as hers.
    const file = join(h.root, 'by-anna.pdf');
    await writeFile(file, makePdf('by-anna'));
    const sent = await recapito(['send', file, '--as', 'Anna']);
    expect(sent).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\S+ {2}awaiting_approval {2}by-anna\.pdf\n$/) });
    const anna = sent.stdout.split(' ')[0]!;
    expect(h.agent.store.documents.get(anna)?.submittedBy).toEqual({ osUser: expect.any(String), name: 'Anna' });
    const other = await upload('by-anna-2', 'Anna');
    const self = await recapito(['approve', anna, '--as', 'Anna', '--pin-file', pinFile]);
    expect(self.code).toBe(1);
    expect(self.stdout).toContain(`${anna}  refused (self_approval): dual control: Anna released this document`);
    const wrong = await recapito(['approve', anna, '--as', 'Bruno'], '0000\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/403 wrong PIN for Bruno; 4 more/);
    const approved = await recapito(['approve', anna, '--as', 'Bruno'], '8642\n');
    expect(approved).toMatchObject({ code: 0, stdout: `${anna}  queued\n` });
    await h.waitForState(anna, 'delivered');

    expect((await recapito(['refuse', other, '--as', 'Carla'], '5555\n')).code).toBe(2); // no reason
    const refused = await recapito(['refuse', other, '--reason', 'wrong amount', '--as', 'Carla', '--json'], '5555\n');
    expect(refused.code).toBe(0);
    expect(JSON.parse(refused.stdout)).toEqual([{ id: other, ok: true, state: 'declined' }]);
    expect(h.agent.store.documents.get(other)).toMatchObject({ state: 'declined', reason: 'wrong amount' });

    expect(await recapito(['approvers', 'remove', 'Carla', '--by', 'Bruno'], '8642\n')).toMatchObject({ code: 0, stdout: 'approver Carla removed\n' });
    expect((await recapito(['approvers', 'list', '--json'])).stdout).not.toContain('Carla');
    expect(h.agent.verifyAudit().ok).toBe(true);
    // 14 runs of the CLI, each a new Node process loading every command: 2–4 s each on a busy 2-core machine.
  }, 180_000);

  it('explains its usage', async () => {
    expect((await recapito(['approve'])).code).toBe(2);
    expect((await recapito(['approvers', 'remove', 'Anna'])).stderr).toContain('usage: recapito approvers');
  }, 60_000);
});
