// The virtual printer answers this computer only. Even when its listening address is widened by
// mistake, a request from another host (a network namespace of our own, over a veth pair) is
// refused, and the printer keeps serving this computer. Needs root and iproute2 (CI has both).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIppPrinterServer, type IppPrinterServer } from '../../src/core/printer/ipp-printer-server.ts';
import { isRoot, needs, requires } from '../helpers/system-tools.ts';

const execFileAsync = promisify(execFile);
const sh = (command: string, ...args: string[]) => execFileAsync(command, args);

const NS = `rcp-test-${process.pid}`;
const HOST_SIDE = `rcpa${process.pid % 100000}`;
const NS_SIDE = `rcpb${process.pid % 100000}`;
// Addresses of our own test hosts, inside the namespace pair this test creates.
const HOST_IP = '10.213.77.1';
const NS_IP = '10.213.77.2';

// ip makes the namespace and its veth pair (root only), curl sends the requests from either side.
const needed = needs('ip', 'curl').and(
  requires(isRoot(), 'needs root: the test makes a network namespace and a veth pair', 'run the tests as root (sudo npm test)'),
);
const available = needed.ok;
const ip = (...args: string[]) => sh(needed.path('ip'), ...args);
let server: IppPrinterServer | null = null;
let spoolDir = '';
let received = 0;

beforeAll(async () => {
  if (!available) return;
  await ip('netns', 'add', NS);
  await ip('link', 'add', HOST_SIDE, 'type', 'veth', 'peer', 'name', NS_SIDE);
  await ip('link', 'set', NS_SIDE, 'netns', NS);
  await ip('addr', 'add', `${HOST_IP}/30`, 'dev', HOST_SIDE);
  await ip('link', 'set', HOST_SIDE, 'up');
  await ip('netns', 'exec', NS, needed.path('ip'), 'addr', 'add', `${NS_IP}/30`, 'dev', NS_SIDE);
  await ip('netns', 'exec', NS, needed.path('ip'), 'link', 'set', NS_SIDE, 'up');
  await ip('netns', 'exec', NS, needed.path('ip'), 'link', 'set', 'lo', 'up');
  spoolDir = await mkdtemp(join(tmpdir(), 'recapito-ipp-'));
  let jobId = 1;
  server = await startIppPrinterServer({
    host: '0.0.0.0', // a misconfiguration on purpose: the peer check must still refuse other hosts
    port: 0,
    queues: [{ profileId: 'main', name: 'Recapito – Test' }],
    spoolDir,
    nextJobId: () => jobId++,
    onDocument: async () => {
      received += 1;
    },
  });
});

afterAll(async () => {
  await server?.close();
  if (available) {
    await ip('link', 'del', HOST_SIDE).catch(() => undefined);
    await ip('netns', 'del', NS).catch(() => undefined);
  }
  if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
});

/** A Get-Printer-Attributes request (IPP/2.0) with the required operation attributes. */
function getPrinterAttributes(uri: string): Buffer {
  const attribute = (tag: number, name: string, value: string) => {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const out = Buffer.alloc(1 + 2 + n.length + 2 + v.length);
    out.writeUInt8(tag, 0);
    out.writeUInt16BE(n.length, 1);
    n.copy(out, 3);
    out.writeUInt16BE(v.length, 3 + n.length);
    v.copy(out, 5 + n.length);
    return out;
  };
  return Buffer.concat([
    Buffer.from([0x02, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x01, 0x01]),
    attribute(0x47, 'attributes-charset', 'utf-8'),
    attribute(0x48, 'attributes-natural-language', 'en'),
    attribute(0x45, 'printer-uri', uri),
    Buffer.from([0x03]),
  ]);
}

async function post(fromNamespace: boolean, host: string): Promise<{ status: number; body: Buffer }> {
  const url = `http://${host}:${server!.port}/ipp/print/main`;
  const file = join(spoolDir, `request-${Date.now()}.bin`);
  const { writeFile, readFile } = await import('node:fs/promises');
  await writeFile(file, getPrinterAttributes(url.replace('http:', 'ipp:')));
  const output = join(spoolDir, `answer-${Date.now()}.bin`);
  // A loopback Host header even from the other host: only the peer address can give it away.
  const curl = [
    needed.path('curl'),
    '-s',
    '-o',
    output,
    '-w',
    '%{http_code}',
    '-H',
    'Content-Type: application/ipp',
    '-H',
    `Host: 127.0.0.1:${server!.port}`,
    '--data-binary',
    `@${file}`,
    '--max-time',
    '10',
    url,
  ];
  const { stdout } = fromNamespace ? await ip('netns', 'exec', NS, ...curl) : await sh(curl[0]!, ...curl.slice(1));
  return { status: Number(stdout), body: await readFile(output).catch(() => Buffer.alloc(0)) };
}

needed.describe('virtual printer: non-loopback peers', () => {
  it('refuses a request from another host and keeps serving this computer', async () => {
    const foreign = await post(true, HOST_IP);
    const refusedByHttp = foreign.status === 403;
    const refusedByIpp = foreign.status === 200 && foreign.body.length >= 4 && foreign.body.readUInt16BE(2) === 0x0401; // client-error-forbidden
    expect(refusedByHttp || refusedByIpp, `status ${foreign.status}`).toBe(true);

    const local = await post(false, '127.0.0.1');
    expect(local.status).toBe(200);
    expect(local.body.readUInt16BE(2)).toBe(0x0000); // successful-ok
    expect(received).toBe(0);
  });
});
