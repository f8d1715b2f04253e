// `recapito sftp-fingerprint HOST [--port N]`: shows the SFTP server's host key fingerprint and the
// configuration line that pins it. It never pins anything by itself: the person compares it with
// the fingerprint the hub provider published, because this connection could be the one intercepted.
import { parseArgs } from 'node:util';
import { fetchHostKeyFingerprint } from '../../core/hub/sftp-probe.ts';

const USAGE = 'usage: recapito sftp-fingerprint HOST [--port N] [--timeout SECONDS]';

export async function sftpFingerprintCommand(args: string[]): Promise<number> {
  let values: { port?: string | undefined; timeout?: string | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { port: { type: 'string', short: 'p' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const host = positionals[0];
  if (!host || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const port = Number(values.port ?? 22);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    console.error(`the port must be a whole number from 1 to 65535, not "${values.port}"\n${USAGE}`);
    return 2;
  }
  const timeoutSeconds = Number(values.timeout ?? 10);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    console.error(`the timeout must be a positive number of seconds, not "${values.timeout}"\n${USAGE}`);
    return 2;
  }

  let shown: { fingerprint: string; keyType: string };
  try {
    shown = await fetchHostKeyFingerprint(host, port, timeoutSeconds * 1000);
  } catch (error) {
    console.error(`cannot read the host key of ${host}:${port}: ${(error as Error).message}`);
    return 1;
  }
  console.log(
    [
      `The SFTP server ${host}:${port} presents this ${shown.keyType} host key:`,
      '',
      `  ${shown.fingerprint}`,
      '',
      'Before you trust it, compare it with the fingerprint your hub provider published (on their',
      'website, in their documentation or by phone), not with anything this connection shows: a',
      'matching fingerprint is the only proof you are talking to the hub. Only if the two are the',
      'same, put this line in the "hub.sftp" section of the configuration:',
      '',
      `  "hostKeyFingerprint": "${shown.fingerprint}"`,
      '',
      `If they differ, do not use this server: tell the hub provider.`,
    ].join('\n'),
  );
  return 0;
}
