// `recapito status [ID]`: the agent's health and queue, or one document with its history.
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../../core/config/running-agents.ts';
import { apiTarget, callApi } from '../local-api-client.ts';
import { ROUTES } from '../../contract/routes.ts';

export async function statusCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { data: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const target = await apiTarget(await resolveDataDir(values.data));
  const id = positionals[0];
  if (id) {
    const document = await callApi(target, ROUTES.document, { params: { id } });
    if (values.json) return print(document);
    console.log(`${document.name}  ${document.state}${document.reason ? `  — ${document.reason}` : ''}`);
    console.log(`id ${document.id}  hub ${document.hubId ?? '-'}  SDI ${document.sdiId ?? '-'}`);
    for (const event of document.events)
      console.log(`  ${event.at}  ${(event.state ?? '').padEnd(13)} ${event.type}${event.message ? `: ${event.message}` : ''}`);
    for (const file of document.files) console.log(`  file ${file.name} (${file.kind}, ${file.size} bytes)`);
    return 0;
  }
  const status = await callApi(target, ROUTES.status);
  if (values.json) return print(status);
  console.log(
    `${status.branding?.productName ?? 'Recapito'} ${status.version}  hub ${status.hub.url || '(none)'}  reachable: ${status.hub.reachable ?? 'unknown'}`,
  );
  if (status.hold) console.log(`ON HOLD: ${status.hold.reason}`);
  if (status.hub.unreachableSince)
    console.log(`hub unreachable since ${status.hub.unreachableSince}; next try at ${status.hub.nextTryAt ?? 'unknown'} (docs/hub-outages.md)`);
  if (status.captureHold) console.log(`CAPTURE STOPPED: ${status.captureHold.reason}`);
  for (const warning of status.branding?.warnings ?? []) console.log(`branding: ${warning}`);
  console.log(`credits: ${status.hub.credits ?? '?'}  key expires: ${status.hub.keyExpiresAt ?? '-'}`);
  // A PC not enrolled yet (docs/enrollment.md): say how, rather than leave "key expires: -".
  if (status.hub.transport === 'https' && status.hub.keySource === null) console.log('no API key yet: enroll this PC with "recapito enroll CODE"');
  console.log(
    Object.entries(status.counts)
      .map(([state, n]) => `${state}: ${n}`)
      .join('  ') || 'no documents yet',
  );
  for (const watcher of status.watchers)
    console.log(`  ${watcher.profile}  ${watcher.state.padEnd(8)} ${watcher.folder}${watcher.error ? ` (${watcher.error})` : ''}`);
  return 0;
}

function print(value: unknown): number {
  console.log(JSON.stringify(value, null, 2));
  return 0;
}
