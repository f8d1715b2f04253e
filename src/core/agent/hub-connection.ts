// The hub transport the settings describe: the client the agent sends and follows with, and the
// stage-by-stage "test connection". The extra CA (sandbox, corporate proxy) is read when the client
// is built, not when the settings are.
import type { Settings } from '../config/settings-schema.ts';
import type { SecretStore } from '../config/secret-store.ts';
import type { Logger } from '../log/logger.ts';
import type { HubClient } from '../hub/hub-client.ts';
import { createHttpsHubClient } from '../hub/https-hub-client.ts';
import { createSftpHubClient, type SftpHubClientOptions } from '../hub/sftp-hub-client.ts';
import { testSftpConnection } from '../hub/sftp-probe.ts';
import { testHttpsConnection, type ConnectionCheckResult } from '../hub/https-probe.ts';
import { readRegularFile } from '../util/regular-file.ts';
import { AgentError } from '../agent-error.ts';

export const AGENT_VERSION = '0.1.0';

export interface HubConnectionOptions {
  settings: Settings['hub'];
  secrets: SecretStore;
  log: Logger;
}

/** The client for these settings, or null when no hub is configured (documents then wait in the queue). */
export async function buildHubClient(options: HubConnectionOptions): Promise<HubClient | null> {
  const { settings, secrets } = options;
  if (settings.transport === 'sftp') {
    const sftp = sftpOptions(options);
    return sftp ? createSftpHubClient(sftp) : null;
  }
  if (!settings.url) return null;
  return createHttpsHubClient({
    baseUrl: settings.url,
    apiKey: () => secrets.get('hubApiKey'),
    extraCaPem: await extraCaPem(settings),
    requestTimeoutMs: settings.requestTimeoutSeconds * 1000,
    userAgent: `Recapito/${AGENT_VERSION}`,
  });
}

/** "Test connection": each stage (name, port, certificate or host key, credentials, folders) on its own. */
export async function testHubConnection(options: HubConnectionOptions, client: HubClient | null): Promise<ConnectionCheckResult> {
  const { settings } = options;
  if (settings.transport === 'sftp') {
    const sftp = sftpOptions(options);
    if (!sftp) throw new AgentError('no_hub', 'hub.sftp is not configured', 400);
    return testSftpConnection(sftp);
  }
  if (!settings.url || !client) throw new AgentError('no_hub', 'hub.url is not configured', 400);
  return testHttpsConnection({ url: settings.url, extraCaPem: await extraCaPem(settings), client });
}

/** The PEM of `hub.caFile`, read now (null without one). */
export async function extraCaPem(settings: Settings['hub']): Promise<string | null> {
  const { caFile } = settings;
  if (!caFile) return null;
  try {
    return await readRegularFile(caFile, 'utf8', { followLinks: true });
  } catch (error) {
    throw new AgentError('bad_ca_file', `hub.caFile ${caFile} cannot be read: ${(error as Error).message}`, 500);
  }
}

function sftpOptions({ settings, secrets, log }: HubConnectionOptions): SftpHubClientOptions | null {
  const sftp = settings.sftp;
  if (!sftp) return null;
  return {
    host: sftp.host,
    port: sftp.port,
    username: sftp.username,
    root: sftp.root,
    hostKeyFingerprint: sftp.hostKeyFingerprint,
    credentials: () =>
      sftp.auth === 'password'
        ? { password: secrets.get('sftpPassword') }
        : { privateKey: secrets.get('sftpPrivateKey'), passphrase: secrets.get('sftpPassphrase') },
    connections: sftp.connections,
    pollIntervalMs: sftp.pollSeconds * 1000,
    keepaliveIntervalMs: sftp.keepaliveSeconds * 1000,
    connectTimeoutMs: sftp.connectTimeoutSeconds * 1000,
    log: log.child('sftp'),
  };
}
