// The CLI talks to a running agent through its local API (api-url and api-token in the data folder).
import { readFile } from 'node:fs/promises';
import { dataPaths } from '../core/config/data-dir.ts';

export interface ApiTarget {
  baseUrl: string;
  token: string;
}

export async function apiTarget(dataDir: string): Promise<ApiTarget> {
  const paths = dataPaths(dataDir);
  try {
    const baseUrl = (await readFile(paths.apiUrl, 'utf8')).trim();
    const token = (await readFile(paths.apiToken, 'utf8')).trim();
    return { baseUrl, token };
  } catch {
    throw new Error(`no running agent found in ${dataDir} (start it with "recapito serve", or pass --data)`);
  }
}

export async function callApi(target: ApiTarget, method: string, path: string, body?: { bytes: Buffer; headers: Record<string, string> }): Promise<unknown> {
  const response = await fetch(`${target.baseUrl}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${target.token}`, ...(body?.headers ?? {}) },
    ...(body ? { body: new Uint8Array(body.bytes) } : {}),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const message = (parsed as { error?: { message?: string } } | null)?.error?.message ?? response.statusText;
    throw new Error(`${method} ${path}: ${response.status} ${message}`);
  }
  return parsed;
}
