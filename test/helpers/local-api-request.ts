// Raw HTTP requests to the local API, as any client on this computer could send them: the request
// target is written as given (absolute form, encoded letters, "//"), and Host and token are ours to set.
import http from 'node:http';
import { join } from 'node:path';
import { startLocalApi, type LocalApi } from '../../src/core/api/local-api-server.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { startHarness, type Harness } from './harness.ts';
import type { Settings } from '../../src/core/config/settings-schema.ts';

export const TEST_TOKEN = 'test-token-'.padEnd(43, 'x');

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => Record<string, unknown>;
}

export interface RequestInit {
  method?: string;
  host?: string;
  /** The Bearer token; TEST_TOKEN when omitted, none when null. */
  token?: string | null;
  headers?: Record<string, string>;
  body?: Buffer | string;
  address?: string;
}

export function apiRequest(port: number, target: string, init: RequestInit = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: init.host ?? `127.0.0.1:${port}`, ...(init.headers ?? {}) };
    if (init.token !== null) headers['Authorization'] = `Bearer ${init.token ?? TEST_TOKEN}`;
    const req = http.request({ host: init.address ?? '127.0.0.1', port, path: target, method: init.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A real agent and sandbox hub (test/helpers/harness.ts) behind a local API with TEST_TOKEN. */
export async function startApiHarness(
  options: { uiDir?: string; settings?: (settings: Settings) => Settings } = {},
): Promise<{ harness: Harness; api: LocalApi; close: () => Promise<void> }> {
  const harness = await startHarness(options.settings ? { settings: options.settings } : {});
  const log = createLogger({ dir: join(harness.dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
  try {
    const api = await startLocalApi({
      agent: harness.agent,
      token: TEST_TOKEN,
      host: '127.0.0.1',
      port: 0,
      log,
      maxUploadBytes: 25 * 1024 * 1024,
      uiDir: options.uiDir ?? null,
    });
    return {
      harness,
      api,
      close: async () => {
        await api.close();
        await harness.close();
      },
    };
  } catch (error) {
    await harness.close();
    throw error;
  }
}
