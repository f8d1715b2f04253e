// The Windows queue manager's decisions. PowerShell cannot run here, so a stand-in powershell.exe
// (the runner) decodes the script it is given and answers with what the real scripts print; the
// agent's printer is a real HTTP server answering Get-Printer-Attributes.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import { createQueueManager, QueueError } from '../../src/core/printer/os-queue/queue-manager.ts';
import type { CommandResult, CommandRunner, QueueManager } from '../../src/core/printer/os-queue/queue-manager.ts';
import { RESULT_MARKER } from '../../src/core/printer/os-queue/powershell-scripts.ts';
import { freePort } from '../helpers/cups.ts';

let server: http.Server;
let printerUri: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const id = Buffer.concat(chunks).subarray(4, 8);
      response.writeHead(200, { 'Content-Type': 'application/ipp' });
      response.end(Buffer.concat([Buffer.from([2, 0, 0, 0]), id, Buffer.from([0x03])]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  printerUri = `ipp://127.0.0.1:${(server.address() as { port: number }).port}/ipp/print/rossi`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface Call {
  command: string;
  script: string;
  timeoutMs: number | undefined;
}

/** answer: the object the script would print, or { raw } for what the process itself returns. */
function powershell(answer: (script: string) => { raw: Partial<CommandResult> } | object): { runner: CommandRunner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: CommandRunner = async (command, args, options) => {
    const encoded = args[args.indexOf('-EncodedCommand') + 1]!;
    const script = Buffer.from(encoded, 'base64').toString('utf16le');
    calls.push({ command, script, timeoutMs: options?.timeoutMs });
    const reply = answer(script);
    if ('raw' in reply) return { code: 0, stdout: '', stderr: '', ...reply.raw };
    return { code: 0, stdout: `WARNING: noise\r\n${RESULT_MARKER}${JSON.stringify(reply)}\r\n`, stderr: '' };
  };
  return { runner, calls };
}

async function failure(promise: Promise<unknown>): Promise<QueueError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QueueError);
  return error as QueueError;
}

const installed = {
  ok: true,
  name: 'Recapito – Rossi Srl',
  renamedFrom: null,
  driverName: 'Microsoft IPP Class Driver',
  portName: 'http://127.0.0.1:8631/ipp/print/rossi',
  elevated: true,
};

describe('Windows queue manager', () => {
  it('install runs the install script with the printer name and the HTTP form of the URI', async () => {
    const { runner, calls } = powershell(() => installed);
    const manager: QueueManager = createQueueManager('win32', runner);
    expect(manager.system).toBe('windows');
    await manager.install({ name: 'Recapito – Rossi Srl', uri: printerUri });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.command).toMatch(/powershell\.exe$/i);
    expect(calls[0]!.script).toContain("$name = 'Recapito – Rossi Srl'");
    expect(calls[0]!.script).toContain(`$url = '${printerUri.replace('ipp://', 'http://')}'`);
    expect(calls[0]!.script).toContain('Add-Printer -Name $name -IppURL $url');
    expect(calls[0]!.timeoutMs).toBeGreaterThanOrEqual(60_000);
  });

  it('refuses before running PowerShell when the printer does not answer', async () => {
    const { runner, calls } = powershell(() => installed);
    const uri = `ipp://127.0.0.1:${await freePort()}/ipp/print/rossi`;
    const error = await failure(createQueueManager('win32', runner).install({ name: 'Recapito – Rossi Srl', uri }));
    expect(error.code).toBe('server_not_answering');
    expect(error.command).toBe(`Add-Printer -Name 'Recapito – Rossi Srl' -IppURL '${uri.replace('ipp://', 'http://')}'`);
    expect(calls).toHaveLength(0);
  });

  it('access denied → forbidden, with the elevation hint and the command to run', async () => {
    const { runner } = powershell(() => ({ ok: false, code: 'forbidden', message: 'Access was denied to the specified resource.', elevated: false }));
    const error = await failure(createQueueManager('win32', runner).install({ name: "Dell'Acqua", uri: printerUri }));
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/Run as administrator/);
    expect(error.message).toContain("Add-Printer -Name 'Dell''Acqua'");
  });

  it('no -IppURL on this Windows → not_supported, saying so', async () => {
    const { runner } = powershell(() => ({
      ok: false,
      code: 'not_supported',
      message: 'Add-Printer on this Windows has no -IppURL parameter: it needs a newer Windows 10 or Windows 11.',
      elevated: true,
    }));
    const error = await failure(createQueueManager('win32', runner).install({ name: 'R', uri: printerUri }));
    expect(error.code).toBe('not_supported');
    expect(error.message).toMatch(/-IppURL/);
  });

  it('another failure while not elevated suggests elevation', async () => {
    const { runner } = powershell(() => ({ ok: false, code: 'command_failed', message: 'The spooler service is not reachable.', elevated: false }));
    const error = await failure(createQueueManager('win32', runner).uninstall('R'));
    expect(error.code).toBe('command_failed');
    expect(error.message).toMatch(/spooler service is not reachable.*not running as Administrator/s);
    expect(error.command).toBe("Get-Printer | Where-Object Name -eq 'R' | Remove-Printer");
  });

  it('a queue bound to another driver is reported as no_driver', async () => {
    const { runner } = powershell(() => ({ ...installed, driverName: 'Generic / Text Only' }));
    const error = await failure(createQueueManager('win32', runner).install({ name: 'R', uri: printerUri }));
    expect(error.code).toBe('no_driver');
    expect(error.message).toContain('Generic / Text Only');
  });

  it('PowerShell missing or printing no result', async () => {
    const missing = await failure(
      createQueueManager('win32', powershell(() => ({ raw: { code: 127, stderr: 'powershell.exe: command not found' } })).runner).status('R'),
    );
    expect(missing.code).toBe('not_supported');
    const crashed = await failure(
      createQueueManager('win32', powershell(() => ({ raw: { code: 1, stderr: 'Get-Printer : The term is not recognized' } })).runner).status('R'),
    );
    expect(crashed.code).toBe('command_failed');
    expect(crashed.message).toMatch(/no result line.*exit code 1.*not recognized/s);
  });

  it('status and uninstall use the Windows form of the name', async () => {
    const { runner, calls } = powershell((script) =>
      script.includes('Get-PrinterPort')
        ? {
            ok: true,
            installed: true,
            name: 'A-B',
            driverName: 'Microsoft IPP Class Driver',
            portName: 'http://127.0.0.1:8631/ipp/print/a',
            portDescription: null,
            portHost: null,
            printerStatus: 'Normal',
          }
        : { ok: true, removed: 1, elevated: true },
    );
    const manager = createQueueManager('win32', runner);
    expect(manager.queueName('A\\B')).toBe('A-B');
    expect(await manager.status('A\\B')).toEqual({
      installed: true,
      uri: 'http://127.0.0.1:8631/ipp/print/a',
      driverless: true,
      enabled: true,
      accepting: true,
    });
    await manager.uninstall('A\\B');
    expect(calls.map((call) => /\$name = '([^']*)'/.exec(call.script)?.[1])).toEqual(['A-B', 'A-B']);
  });
});
