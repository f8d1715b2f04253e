// A small HTTPS client for the sandbox hub that trusts its CA: raw protocol requests for tests, and
// the admin API for tests or the demo running the hub in another process. Not the agent's client.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { FaultRule, SandboxDocumentRecord } from './sandbox-hub.ts';

export interface SandboxResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = unknown>(): T;
}

export interface SandboxRequestOptions {
  headers?: Record<string, string>;
  body?: Buffer | string;
  signal?: AbortSignal;
}

export interface SandboxUpload {
  contentType: string;
  idempotencyKey: string;
  fileName?: string;
  /** Extra or overriding headers (e.g. a wrong Content-Digest on purpose). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export class SandboxHttpsClient {
  private readonly baseUrl: URL;
  private readonly agent: https.Agent;

  constructor(baseUrl: string, caPem: string | Buffer) {
    this.baseUrl = new URL(baseUrl);
    this.agent = new https.Agent({ ca: caPem, keepAlive: true });
  }

  static async fromFiles(baseUrl: string, caFile: string): Promise<SandboxHttpsClient> {
    return new SandboxHttpsClient(baseUrl, await readFile(caFile));
  }

  request(method: string, path: string, options: SandboxRequestOptions = {}): Promise<SandboxResponse> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const request = https.request(
        url,
        { method, agent: this.agent, headers: options.headers ?? {}, ...(options.signal ? { signal: options.signal } : {}) },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const body = Buffer.concat(chunks);
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json: <T>() => JSON.parse(body.toString('utf8')) as T });
          });
        },
      );
      request.on('error', reject);
      request.end(options.body);
    });
  }

  /** POST /v1/documents with the protocol's headers filled in (digest computed from the bytes). */
  upload(apiKey: string, bytes: Buffer, upload: SandboxUpload): Promise<SandboxResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${apiKey}`,
      'content-type': upload.contentType,
      'idempotency-key': upload.idempotencyKey,
      'content-digest': `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`,
      ...(upload.fileName !== undefined ? { 'x-filename': encodeURIComponent(upload.fileName) } : {}),
      ...upload.headers,
    };
    return this.request('POST', '/v1/documents', { headers, body: bytes, ...(upload.signal ? { signal: upload.signal } : {}) });
  }

  /** GET with the API key. */
  get(apiKey: string, path: string, signal?: AbortSignal): Promise<SandboxResponse> {
    return this.request('GET', path, { headers: { authorization: `Bearer ${apiKey}` }, ...(signal ? { signal } : {}) });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The /_sandbox admin API, authenticated by the token from dataDir/admin-token. */
export class SandboxAdminClient {
  private readonly http: SandboxHttpsClient;
  private readonly token: string;

  constructor(http: SandboxHttpsClient, adminToken: string) {
    this.http = http;
    this.token = adminToken;
  }

  async createApiKey(options: { expiresAt?: string | null; name?: string } = {}): Promise<string> {
    return (await this.call<{ apiKey: string }>('POST', '/_sandbox/api-keys', options)).apiKey;
  }

  async revokeApiKey(apiKey: string): Promise<void> {
    await this.call('POST', '/_sandbox/api-keys/revoke', { apiKey });
  }

  async setKeyExpiry(apiKey: string, expiresAt: string | null): Promise<void> {
    await this.call('POST', '/_sandbox/api-keys/expiry', { apiKey, expiresAt });
  }

  async setCredits(remaining: number): Promise<void> {
    await this.call('POST', '/_sandbox/credits', { remaining });
  }

  async injectFaults(rules: FaultRule[]): Promise<void> {
    await this.call('POST', '/_sandbox/faults', { rules });
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/_sandbox/faults');
  }

  async listDocuments(): Promise<SandboxDocumentRecord[]> {
    return (await this.call<{ documents: SandboxDocumentRecord[] }>('GET', '/_sandbox/documents')).documents;
  }

  async createActivationCode(opts: { expiresAt?: string | null } = {}): Promise<string> {
    return (await this.call<{ activationCode: string }>('POST', '/_sandbox/activation-codes', opts)).activationCode;
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.http.request(method, path, { headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (response.status !== 200) {
      throw new Error(`sandbox admin ${method} ${path} answered ${response.status}: ${response.body.toString('utf8')}`);
    }
    return response.json<T>();
  }
}
