// A real OpenSSH server on 127.0.0.1 for the SFTP tests: its own config, host key and an
// authorised client key made in the test, for the user running the tests (sshd started by a
// non-root user can only log in that user). Tests ask for it with `needsSshd()` (skipped with the
// install command when sshd is missing, failing under CI=true).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readFile, writeFile, rm, chmod } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { needs, type Requirement } from './system-tools.ts';

const execFileAsync = promisify(execFile);

/** What startSshd runs: sshd, ssh-keygen for the keys, ps to find the sessions it kills. */
export const needsSshd = (): Requirement => needs('sshd', 'ssh-keygen', 'ps');

export interface Sshd {
  host: string;
  port: number;
  username: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it. */
  hostKeyFingerprint: string;
  /** The authorised client key (OpenSSH private key format). */
  clientPrivateKey: string;
  /** A second client key that is NOT authorised. */
  strangerPrivateKey: string;
  dir: string;
  /** SIGKILL: connections drop with no goodbye. */
  kill(): Promise<void>;
  /** Starts again on the same port with the same keys. */
  start(): Promise<void>;
  /** Replaces the host key (the next start presents a different one); returns its fingerprint. */
  rotateHostKey(): Promise<string>;
  stop(): Promise<void>;
}

function tools(): { sshd: string; keygen: string; ps: string } {
  const sshd = needsSshd();
  return { sshd: sshd.path('sshd'), keygen: sshd.path('ssh-keygen'), ps: sshd.path('ps') };
}

async function keygen(file: string, comment: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.pub`, { force: true });
  await execFileAsync(tools().keygen, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

async function fingerprint(publicKeyFile: string): Promise<string> {
  const { stdout } = await execFileAsync(tools().keygen, ['-l', '-E', 'sha256', '-f', publicKeyFile]);
  const match = /SHA256:[A-Za-z0-9+/]+/.exec(stdout);
  if (!match) throw new Error(`cannot read the fingerprint of ${publicKeyFile}: ${stdout}`);
  return match[0];
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('data', (banner) => {
      socket.destroy();
      resolve(banner.toString().startsWith('SSH-'));
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function descendants(root: number): Promise<number[]> {
  const { stdout } = await execFileAsync(tools().ps, ['-eo', 'pid=,ppid=']);
  const children = new Map<number, number[]>();
  for (const line of stdout.trim().split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export async function startSshd(dir: string): Promise<Sshd> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // sshd refuses keys and configs in group/world-writable folders (StrictModes).
  await chmod(dir, 0o700);
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  const strangerKey = join(dir, 'stranger_ed25519');
  await keygen(hostKey, 'recapito-test-host');
  await keygen(clientKey, 'recapito-test-client');
  await keygen(strangerKey, 'recapito-test-stranger');
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, await readFile(`${clientKey}.pub`), { mode: 0o600 });
  const port = await freePort();
  const username = userInfo().username;
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `AllowUsers ${username}`,
      'PermitRootLogin yes',
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      'ForceCommand internal-sftp',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  await mkdir('/run/sshd', { recursive: true }).catch(() => undefined); // privilege-separation dir, when root

  let child: ChildProcess | null = null;
  let hostKeyFingerprint = await fingerprint(`${hostKey}.pub`);

  const start = async (): Promise<void> => {
    const started = spawn(tools().sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child = started;
    const deadline = Date.now() + 10_000;
    while (!(await accepting(port))) {
      if (started.exitCode !== null) throw new Error(`sshd exited (${started.exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error(`sshd did not start on port ${port}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const kill = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    // Sessions are served by forked children (in their own sessions) that outlive the listener:
    // find the whole tree first, then end it at once.
    const sessions = running.pid ? await descendants(running.pid) : [];
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  await start();
  return {
    host: '127.0.0.1',
    port,
    username,
    get hostKeyFingerprint() {
      return hostKeyFingerprint;
    },
    clientPrivateKey: await readFile(clientKey, 'utf8'),
    strangerPrivateKey: await readFile(strangerKey, 'utf8'),
    dir,
    kill,
    start,
    async rotateHostKey() {
      await keygen(hostKey, 'recapito-test-host-rotated');
      hostKeyFingerprint = await fingerprint(`${hostKey}.pub`);
      return hostKeyFingerprint;
    },
    stop: kill,
  };
}
