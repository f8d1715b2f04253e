// "Test connection" for the SFTP transport, and reading a server's host key fingerprint so a person
// can compare it with the one the hub provider published. Each stage on its own, so the user
// learns exactly what failed: the name, the port, the host key, the credentials or the folders.
import { lookup } from 'node:dns/promises';
import { connect as connectTcp } from 'node:net';
import { isHubRequestError } from './hub-client.ts';
import { hostKeyType, sha256Fingerprint } from './host-key.ts';
import { classifySftpError } from './classify-sftp-error.ts';
import { openSftpSession, serverLabel } from './sftp-connection-pool.ts';
import { createSftpHubClient, type SftpHubClientOptions } from './sftp-hub-client.ts';
import { withTimeout } from './with-timeout.ts';
import { loadSshLibrary } from './ssh-library.ts';

export type SftpProbeStage = 'dns' | 'tcp' | 'host_key' | 'auth' | 'permissions';

export interface ConnectionCheck {
  ok: boolean;
  stages: { stage: SftpProbeStage; ok: boolean; message: string }[];
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Connects far enough to see the server's host key, then hangs up: no credentials are sent.
 * The key is whatever ssh2 negotiates, which is what the agent will be shown when it connects.
 */
export async function fetchHostKeyFingerprint(host: string, port: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ fingerprint: string; keyType: string }> {
  const server = serverLabel(host, port);
  const { Client } = await loadSshLibrary();
  const ssh = new Client();
  let seen: { fingerprint: string; keyType: string } | null = null;
  try {
    return await new Promise((resolve, reject) => {
      ssh.on('error', (error: Error) => {
        if (seen) resolve(seen);
        else reject(classifySftpError(error, { server, username: '(none)', connectTimeoutMs: timeoutMs }));
      });
      ssh.on('close', () => {
        if (seen) resolve(seen);
        else
          reject(classifySftpError(new Error('Not connected: the server closed the connection before showing its host key'), { server, username: '(none)' }));
      });
      ssh.once('connect', () => ssh.setNoDelay(true));
      ssh.connect({
        host,
        port,
        // Any user name: refusing the key below ends the connection before authentication.
        username: 'recapito-fingerprint',
        readyTimeout: timeoutMs,
        hostVerifier: (key: Buffer) => {
          seen = { fingerprint: sha256Fingerprint(key), keyType: hostKeyType(key) ?? 'unknown' };
          resolve(seen);
          return false;
        },
      });
    });
  } finally {
    ssh.destroy();
  }
}

/** Each stage in order; stops at the first that fails, saying what failed and what to check. */
export async function testSftpConnection(options: SftpHubClientOptions): Promise<ConnectionCheck> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const server = serverLabel(options.host, options.port);
  const stages: ConnectionCheck['stages'] = [];
  const fail = (stage: SftpProbeStage, message: string): ConnectionCheck => {
    stages.push({ stage, ok: false, message });
    return { ok: false, stages };
  };

  let address: string;
  try {
    address = (await withTimeout(lookup(options.host), timeoutMs, `resolving ${options.host}`)).address;
    stages.push({ stage: 'dns', ok: true, message: `${options.host} is ${address}` });
  } catch (error) {
    return fail('dns', `the name ${options.host} cannot be resolved: ${(error as Error).message}`);
  }

  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const socket = connectTcp({ host: address, port: options.port }, () => (socket.destroy(), resolve()));
        socket.once('error', reject);
        setTimeout(() => socket.destroy(), timeoutMs).unref();
      }),
      timeoutMs,
      `connecting to ${address}:${options.port}`,
    );
    stages.push({ stage: 'tcp', ok: true, message: `port ${options.port} accepts connections` });
  } catch (error) {
    return fail('tcp', `nothing accepts connections at ${server} (${(error as Error).message}); check the address, the port and any firewall`);
  }

  try {
    const shown = await fetchHostKeyFingerprint(options.host, options.port, timeoutMs);
    if (shown.fingerprint !== options.hostKeyFingerprint) {
      return fail(
        'host_key',
        `the SFTP server ${server} presented host key ${shown.fingerprint} (${shown.keyType}), but the pinned key is ${options.hostKeyFingerprint}: refused. ` +
          'If the hub changed its key, confirm the new fingerprint with the provider and update hub.sftp.hostKeyFingerprint',
      );
    }
    stages.push({ stage: 'host_key', ok: true, message: `the server's ${shown.keyType} host key matches the pinned fingerprint ${shown.fingerprint}` });
  } catch (error) {
    return fail('host_key', `could not read the server's host key: ${(error as Error).message}`);
  }

  try {
    const session = await openSftpSession({
      host: options.host,
      port: options.port,
      username: options.username,
      hostKeyFingerprint: options.hostKeyFingerprint,
      credentials: options.credentials,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000,
      connectTimeoutMs: timeoutMs,
    });
    await session.end();
    stages.push({ stage: 'auth', ok: true, message: `logged in as ${options.username}` });
  } catch (error) {
    const stage = isHubRequestError(error) && error.kind === 'host_key' ? 'host_key' : 'auth';
    return fail(stage, (error as Error).message);
  }

  const client = createSftpHubClient({ ...options, connections: 1 });
  try {
    await client.account();
    stages.push({ stage: 'permissions', ok: true, message: `in/ is writable and out/ is readable under ${options.root}` });
  } catch (error) {
    return fail('permissions', (error as Error).message);
  } finally {
    await client.close();
  }
  return { ok: true, stages };
}
