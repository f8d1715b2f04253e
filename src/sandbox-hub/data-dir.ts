// The files the sandbox hub keeps in its data folder besides hub.sqlite: its TLS material (made on
// first run, reused afterwards), the admin token and the URL it listens on.
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { writeDurably } from '../core/util/fsync.ts';
import path from 'node:path';
import { createCertificateAuthority, issueServerCertificate } from '../core/tls/certificates.ts';
import type { PemKeyPair } from '../core/tls/certificates.ts';
import { randomSecret } from './store/secrets.ts';

export interface TlsMaterial {
  caFile: string;
  certificatePem: string;
  privateKeyPem: string;
}

// Reissue the server certificate a while before it runs out, so a long-lived demo folder keeps working.
const RENEW_BEFORE_MS = 30 * 86_400_000;

function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  return writeDurably(file, data, { mode });
}

async function readPair(certificateFile: string, keyFile: string): Promise<PemKeyPair | undefined> {
  try {
    return { certificatePem: await readFile(certificateFile, 'utf8'), privateKeyPem: await readFile(keyFile, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function stillValid(pair: PemKeyPair): boolean {
  try {
    return Date.parse(new X509Certificate(pair.certificatePem).validTo) - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

export async function loadOrCreateTls(dataDir: string): Promise<TlsMaterial> {
  const dir = path.join(dataDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = {
    ca: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    server: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server-key.pem'),
  };
  let ca = await readPair(files.ca, files.caKey);
  let server = await readPair(files.server, files.serverKey);
  if (!ca || !stillValid(ca)) {
    ca = await createCertificateAuthority('Recapito Sandbox Hub CA');
    await writeFileAtomic(files.caKey, ca.privateKeyPem, 0o600);
    await writeFileAtomic(files.ca, ca.certificatePem, 0o644);
    server = undefined; // a new CA needs a new server certificate
  }
  if (!server || !stillValid(server)) {
    server = await issueServerCertificate(ca, ['localhost'], ['127.0.0.1', '::1']);
    await writeFileAtomic(files.serverKey, server.privateKeyPem, 0o600);
    await writeFileAtomic(files.server, server.certificatePem, 0o644);
  }
  return { caFile: files.ca, certificatePem: server.certificatePem, privateKeyPem: server.privateKeyPem };
}

export async function loadOrCreateAdminToken(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'admin-token');
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomSecret('sbx_admin_');
  await writeFileAtomic(file, token, 0o600);
  return token;
}

export async function writeUrlFile(dataDir: string, url: string): Promise<void> {
  await writeFileAtomic(path.join(dataDir, 'url'), url, 0o644);
}
