// `recapito send FILE…`: hands files to the running agent (same pipeline as a watched folder).
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { resolveDataDir } from '../../core/config/running-agents.ts';
import { apiTarget, callApi } from '../local-api-client.ts';
import { ROUTES } from '../../contract/routes.ts';

export async function sendCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { data: { type: 'string' }, profile: { type: 'string' }, as: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) {
    console.error('usage: recapito send FILE… [--profile ID] [--as NAME] [--data DIR]');
    return 2;
  }
  const target = await apiTarget(await resolveDataDir(values.data));
  let failures = 0;
  for (const file of positionals) {
    try {
      const bytes = await readFile(file);
      const headers: Record<string, string> = {
        'Content-Type': 'application/octet-stream',
        'X-Filename': encodeURIComponent(basename(file)),
        'X-Source': 'upload',
      };
      if (values.profile) headers['X-Profile'] = values.profile;
      // Who releases it: with dual control, this person may not also approve it (docs/approval.md).
      if (values.as) headers['X-Submitted-By'] = encodeURIComponent(values.as);
      const result = await callApi(target, ROUTES.upload, { body: { bytes, headers } });
      for (const document of result.documents) {
        console.log(`${document.id}  ${document.state.padEnd(10)}  ${document.name}${document.reason ? `  (${document.reason})` : ''}`);
        if (document.state === 'invalid') failures += 1;
      }
    } catch (error) {
      failures += 1;
      console.error(`${file}: ${(error as Error).message}`);
    }
  }
  return failures > 0 ? 1 : 0;
}
