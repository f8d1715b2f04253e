// The CLI talks to a running agent through its local API (api-url and api-token in the data folder),
// with calls built from the contract's route table.
import { readFile } from 'node:fs/promises';
import { dataPaths } from '../core/config/data-dir.ts';
import { pathOf, type AnswerOf, type ParamsOf, type Route } from '../contract/routes.ts';

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

/** A refusal of the local API: its HTTP status and `error.code` (null when the answer had none), for commands that act on them. */
export class LocalApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly details: unknown;

  constructor(message: string, status: number, code: string | null, details: unknown) {
    super(message);
    this.name = 'LocalApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface CallOptions<R> {
  params?: Record<ParamsOf<R>, string>;
  query?: URLSearchParams;
  body?: { bytes: Buffer; headers: Record<string, string> };
}

/** The raw answer; refusals become an Error with the API's message. */
export async function callApiRaw<R extends Route<unknown, unknown, string>>(target: ApiTarget, route: R, options: CallOptions<R> = {}): Promise<Response> {
  const path = (pathOf as (route: R, params?: Record<string, string>) => string)(route, options.params);
  const query = options.query?.size ? `?${options.query.toString()}` : '';
  const response = await fetch(`${target.baseUrl}${path}${query}`, {
    method: route.method,
    headers: { Authorization: `Bearer ${target.token}`, ...(options.body?.headers ?? {}) },
    ...(options.body ? { body: new Uint8Array(options.body.bytes) } : {}),
  });
  if (!response.ok) {
    const text = await response.text();
    let message = response.statusText;
    let code: string | null = null;
    let details: unknown = null;
    try {
      // The agent's {error:{code, message, details?}}, or a bare {message} from the HTTP layer.
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } | string; message?: string };
      message = (typeof parsed.error === 'object' ? parsed.error.message : undefined) ?? parsed.message ?? message;
      if (typeof parsed.error === 'object') ({ code = null, details = null } = parsed.error);
    } catch {
      // Not JSON: keep the status text.
    }
    throw new LocalApiError(`${route.method} ${path}: ${response.status} ${message}`, response.status, code, details);
  }
  return response;
}

/** A JSON route's answer, typed by the route table. */
export async function callApi<R extends Route<unknown, unknown, string>>(target: ApiTarget, route: R, options: CallOptions<R> = {}): Promise<AnswerOf<R>> {
  const text = await (await callApiRaw(target, route, options)).text();
  return (text ? JSON.parse(text) : null) as AnswerOf<R>;
}
