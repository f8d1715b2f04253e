// `recapito export --csv FILE [--from D] [--to D] [--profile ID] [--state S,…] [--separator ;|,] [--data DIR]`:
// the delivery history from the running agent, as CSV for Excel ("-" writes it to standard output).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { resolveDataDir } from '../../core/config/running-agents.ts';
import { writeDurably } from '../../core/util/fsync.ts';
import { apiTarget } from '../local-api-client.ts';

const USAGE = 'usage: recapito export --csv FILE|- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--profile ID] [--state STATE,…] [--separator ";"|","] [--data DIR]';

export async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      csv: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      profile: { type: 'string' },
      state: { type: 'string' },
      separator: { type: 'string' },
      data: { type: 'string' },
    },
    strict: true,
  });
  if (!values.csv) {
    console.error(USAGE);
    return 2;
  }
  const target = await apiTarget(await resolveDataDir(values.data));
  const query = new URLSearchParams();
  for (const key of ['from', 'to', 'profile', 'state', 'separator'] as const) {
    const value = values[key];
    if (value !== undefined) query.set(key, value);
  }
  const response = await fetch(`${target.baseUrl}/api/v1/export.csv${query.size ? `?${query}` : ''}`, { headers: { Authorization: `Bearer ${target.token}` } });
  const body = Buffer.from(await response.arrayBuffer());
  if (!response.ok) throw new Error(`export: ${response.status} ${errorMessage(body) ?? response.statusText}`);
  if (values.csv === '-') {
    process.stdout.write(body);
    return 0;
  }
  const file = resolve(values.csv);
  // Whole or not at all: a half-written export opened in Excel would look like a short history.
  await writeDurably(file, body, 0o600);
  console.error(`history written to ${file}`);
  return 0;
}

/** The agent's `{error:{message}}`, or a bare `{message}` from the HTTP layer. */
function errorMessage(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { message?: string } | string; message?: string };
    return (typeof parsed.error === 'object' ? parsed.error.message : undefined) ?? parsed.message ?? null;
  } catch {
    return null;
  }
}
