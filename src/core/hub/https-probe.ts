// "Test connection" for the HTTPS transport: each stage on its own, so the user learns exactly
// what failed (name resolution, the port, the certificate, the key), not just "cannot connect".
import { lookup } from 'node:dns/promises';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls, type PeerCertificate } from 'node:tls';
import type { HubClient } from './hub-client.ts';
import { isHubRequestError } from './hub-client.ts';
import { trustedCertificateAuthorities } from './https-hub-client.ts';
import { withTimeout } from './with-timeout.ts';

export type ProbeStage = 'dns' | 'tcp' | 'tls' | 'host_key' | 'auth' | 'permissions';

export interface ConnectionCheckResult {
  ok: boolean;
  stages: { stage: ProbeStage; ok: boolean; message: string }[];
}

export async function testHttpsConnection(options: {
  url: string;
  extraCaPem: string | null;
  client: HubClient;
  timeoutMs?: number;
}): Promise<ConnectionCheckResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const url = new URL(options.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const stages: ConnectionCheckResult['stages'] = [];
  const fail = (stage: ProbeStage, message: string): ConnectionCheckResult => {
    stages.push({ stage, ok: false, message });
    return { ok: false, stages };
  };

  let address: string;
  try {
    address = (await withTimeout(lookup(host), timeoutMs, `resolving ${host}`)).address;
    stages.push({ stage: 'dns', ok: true, message: `${host} is ${address}` });
  } catch (error) {
    return fail('dns', `the name ${host} cannot be resolved: ${(error as Error).message}`);
  }

  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const socket = connectTcp({ host: address, port }, () => (socket.destroy(), resolve()));
        socket.once('error', reject);
      }),
      timeoutMs,
      `connecting to ${address}:${port}`,
    );
    stages.push({ stage: 'tcp', ok: true, message: `port ${port} accepts connections` });
  } catch (error) {
    return fail('tcp', `nothing accepts connections at ${host}:${port} (${(error as Error).message}); check the address, the port and any firewall or proxy`);
  }

  try {
    const certificate = await withTimeout(
      new Promise<PeerCertificate>((resolve, reject) => {
        const socket = connectTls(
          {
            host: address,
            port,
            servername: host.match(/^[\d.:]+$/) ? undefined : host,
            ...(options.extraCaPem ? { ca: trustedCertificateAuthorities(options.extraCaPem) } : {}),
          },
          () => {
            const peer = socket.getPeerCertificate();
            socket.destroy();
            resolve(peer);
          },
        );
        socket.once('error', reject);
      }),
      timeoutMs,
      'TLS handshake',
    );
    stages.push({
      stage: 'tls',
      ok: true,
      message: `certificate for ${commonName(certificate.subject?.CN) ?? host} issued by ${commonName(certificate.issuer?.CN) ?? 'unknown'}, valid until ${certificate.valid_to}`,
    });
  } catch (error) {
    return fail('tls', `the hub's certificate is not trusted: ${(error as Error).message}. If the hub uses a private CA, set hub.caFile`);
  }

  try {
    const account = await options.client.account();
    stages.push({
      stage: 'auth',
      ok: true,
      message: `signed in as ${account.account.name}; ${account.credits.remaining ?? '?'} credits; key expires ${account.key.expiresAt ?? 'never'}`,
    });
  } catch (error) {
    return fail('auth', isHubRequestError(error) ? error.message : String(error));
  }
  return { ok: true, stages };
}

/** A certificate name's CN; a name with several CNs lists them all. */
function commonName(cn: string | string[] | undefined): string | undefined {
  return Array.isArray(cn) ? cn.join(', ') : cn;
}
