// `recapito export --csv FILE [--from D] [--to D] [--profile ID] [--state S,…] [--separator ;|,] [--data DIR]`:
// the delivery history from the running agent, as CSV for Excel ("-" writes it to standard output).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { resolveDataDir } from '../../core/config/running-agents.ts';
import { writeDurably } from '../../core/util/fsync.ts';
import { apiTarget, callApiRaw } from '../local-api-client.ts';
import { ROUTES } from '../../contract/routes.ts';

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
  const body = Buffer.from(await (await callApiRaw(target, ROUTES.exportCsv, { query })).arrayBuffer());
  if (values.csv === '-') {
    process.stdout.write(body);
    return 0;
  }
  const file = resolve(values.csv);
  // Whole or not at all: a half-written export opened in Excel would look like a short history.
  await writeDurably(file, body);
  console.error(`history written to ${file}`);
  return 0;
}
