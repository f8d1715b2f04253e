// `recapito approve ID…`, `recapito refuse ID… --reason TEXT` and `recapito approvers list|add|remove`:
// manual approval from the command line (docs/approval.md), through the running agent's local API.
// PINs come from a file (--pin-file), from standard input when it is not a terminal (one per line,
// for scripts), or are asked for with the echo off; never from an argument (the process list and the
// shell history would show it).
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { resolveDataDir } from '../../core/config/running-agents.ts';
import { apiTarget, callApi, type ApiTarget } from '../local-api-client.ts';
import { ROUTES, type Route } from '../../contract/routes.ts';
import type { DecisionOutcome } from '../../contract/approval.ts';

const APPROVE_USAGE = 'usage: recapito approve ID… [--as NAME] [--pin-file FILE] [--data DIR] [--json]';
const REFUSE_USAGE = 'usage: recapito refuse ID… --reason TEXT [--as NAME] [--pin-file FILE] [--data DIR] [--json]';
const APPROVERS_USAGE = `usage: recapito approvers list [--json] [--data DIR]
       recapito approvers add NAME [--os-user USER] [--pin-file FILE] [--by NAME [--by-pin-file FILE]] [--data DIR]
       recapito approvers remove NAME --by NAME [--by-pin-file FILE] [--data DIR]
PINs are read from the files given, else from standard input (one per line: the new PIN, then the
confirming approver's), else asked for.`;

const decisionOptions = {
  data: { type: 'string' },
  as: { type: 'string' },
  'pin-file': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function approveCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: decisionOptions, allowPositionals: true, strict: true });
  if (positionals.length === 0) {
    console.error(APPROVE_USAGE);
    return 2;
  }
  const target = await apiTarget(await resolveDataDir(values.data));
  const credentials = await credentialsFor(values.as, values['pin-file']);
  return decide(target, ROUTES.approveMany, { ids: positionals, ...credentials }, values.json === true);
}

export async function refuseCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { ...decisionOptions, reason: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length === 0 || !values.reason?.trim()) {
    console.error(REFUSE_USAGE);
    return 2;
  }
  const target = await apiTarget(await resolveDataDir(values.data));
  const credentials = await credentialsFor(values.as, values['pin-file']);
  return decide(target, ROUTES.refuseMany, { ids: positionals, reason: values.reason, ...credentials }, values.json === true);
}

export async function approversCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      json: { type: 'boolean' },
      'os-user': { type: 'string' },
      'pin-file': { type: 'string' },
      by: { type: 'string' },
      'by-pin-file': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, name, ...rest] = positionals;
  if (rest.length > 0 || (action !== 'list' && !name) || !['list', 'add', 'remove'].includes(action ?? '') || (action === 'remove' && !values.by)) {
    console.error(APPROVERS_USAGE);
    return 2;
  }
  const target = await apiTarget(await resolveDataDir(values.data));
  if (action === 'list') {
    const { approvers } = await callApi(target, ROUTES.approvers);
    if (values.json) {
      console.log(JSON.stringify(approvers, null, 2));
      return 0;
    }
    if (approvers.length === 0) console.log('no approvers registered');
    for (const approver of approvers) {
      const locked = approver.lockedUntil ? `  LOCKED until ${approver.lockedUntil}` : '';
      console.log(`${approver.name}${approver.osUser ? `  (OS user ${approver.osUser})` : ''}  since ${approver.createdAt}${locked}`);
    }
    return 0;
  }
  const pins = new PinSource();
  if (action === 'add') {
    const pin = values['pin-file'] ? await pinFromFile(values['pin-file']) : await pins.next(`New PIN for ${name}: `, `Repeat the PIN for ${name}: `);
    const by = values.by ? { approver: values.by, pin: await byPin(pins, values.by, values['by-pin-file']) } : undefined;
    const added = await callApi(target, ROUTES.addApprover, jsonBody({ name, pin, osUser: values['os-user'] ?? null, ...(by ? { by } : {}) }));
    console.log(`approver ${added.name} added${added.osUser ? ` (OS user ${added.osUser})` : ''}`);
    return 0;
  }
  const by = { approver: values.by!, pin: await byPin(pins, values.by!, values['by-pin-file']) };
  await callApi(target, ROUTES.removeApprover, { params: { name: name! }, ...jsonBody({ by }) });
  console.log(`approver ${name} removed`);
  return 0;
}

async function decide(target: ApiTarget, route: Route<{ results: DecisionOutcome[] }, unknown>, body: object, json: boolean): Promise<number> {
  const { results } = await callApi(target, route, jsonBody(body));
  if (json) console.log(JSON.stringify(results, null, 2));
  else for (const result of results) console.log(result.ok ? `${result.id}  ${result.state}` : `${result.id}  refused (${result.code}): ${result.message}`);
  return results.every((r) => r.ok) ? 0 : 1;
}

function jsonBody(body: object): { body: { bytes: Buffer; headers: Record<string, string> } } {
  return { body: { bytes: Buffer.from(JSON.stringify(body)), headers: { 'Content-Type': 'application/json' } } };
}

/** With --as NAME: the PIN from the file, standard input or a prompt. Without it: nobody named, no PIN. */
async function credentialsFor(name: string | undefined, pinFile: string | undefined): Promise<{ approver?: string; pin?: string }> {
  if (!name) {
    if (pinFile) throw new Error('--pin-file needs --as NAME (whose PIN it is)');
    return {};
  }
  const pin = pinFile ? await pinFromFile(pinFile) : await new PinSource().next(`PIN for ${name}: `);
  return { approver: name, pin };
}

async function byPin(pins: PinSource, name: string, file: string | undefined): Promise<string> {
  return file ? pinFromFile(file) : pins.next(`PIN of ${name}, who confirms: `);
}

async function pinFromFile(file: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  const pin = text.split(/\r?\n/, 1)[0] ?? '';
  if (!pin) throw new Error(`${file} holds no PIN on its first line`);
  return pin;
}

/** PINs from standard input, one per line (not a terminal), or asked for with the echo off. */
class PinSource {
  #lines: string[] | null = null;

  async next(question: string, confirm?: string): Promise<string> {
    if (!process.stdin.isTTY) {
      this.#lines ??= (await readAll()).split(/\r?\n/);
      const pin = this.#lines.shift() ?? '';
      if (!pin) throw new Error('expected a PIN on standard input (one per line)');
      return pin;
    }
    const pin = await promptHidden(question);
    if (confirm && (await promptHidden(confirm)) !== pin) throw new Error('the two PINs differ');
    return pin;
  }
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003' || char === '\u0004') {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}
