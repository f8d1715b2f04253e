// `recapito sandbox-hub`: the reference hub with simulated SDI, for trying and testing the agent.
import { parseArgs } from 'node:util';
import { resolve, join } from 'node:path';
import { defaultDataDir } from '../../core/config/data-dir.ts';
import { createSandboxHub } from '../../sandbox-hub/sandbox-hub.ts';
import { untilSignal } from '../signals.ts';
import { writeDurably } from '../../core/util/fsync.ts';

export async function sandboxHubCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string' },
      port: { type: 'string' },
      'delay-ms': { type: 'string' },
      credits: { type: 'string' },
      'create-key': { type: 'boolean' },
      'activation-code': { type: 'boolean' },
      'sftp-root': { type: 'string' },
    },
    strict: true,
  });
  const dataDir = resolve(values.dir ?? join(defaultDataDir(), 'sandbox-hub'));
  const delay = Number(values['delay-ms'] ?? 0);
  const hub = await createSandboxHub({
    dataDir,
    port: Number(values.port ?? 0),
    sdiDelaysMs: { processing: delay, sent: delay, outcome: delay, paOutcome: delay },
    ...(values['sftp-root'] !== undefined ? { sftp: { rootDir: resolve(values['sftp-root']) } } : {}),
  });
  if (values.credits !== undefined) hub.setCredits(Number(values.credits));
  console.log(`Sandbox hub: ${hub.url}`);
  console.log(`Trust this CA in the agent (hub.caFile): ${hub.caFile}`);
  console.log(`Admin token: ${join(dataDir, 'admin-token')}`);
  if (hub.sftpRootDir) console.log(`SFTP folder (serve it with sshd; uploads in in/, status files in out/): ${hub.sftpRootDir}`);
  if (values['create-key']) {
    const key = hub.createApiKey({ name: 'cli' });
    await writeDurably(join(dataDir, 'api-key'), `${key}\n`);
    console.log(`A new API key was written to ${join(dataDir, 'api-key')}`);
  }
  if (values['activation-code']) {
    // For trying enrollment (docs/enrollment.md): \`recapito enroll --code-file DIR/activation-code\`.
    const code = hub.createActivationCode();
    await writeDurably(join(dataDir, 'activation-code'), `${code}\n`);
    console.log(`A new activation code was written to ${join(dataDir, 'activation-code')} (it works once)`);
  }
  await untilSignal();
  await hub.close();
  return 0;
}
