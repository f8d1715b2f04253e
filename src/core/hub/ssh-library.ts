// ssh2 and ssh2-sftp-client, loaded on the first SFTP connection instead of at start: an agent that
// talks HTTPS never needs them, and loaded they cost it about 8 MiB of resident memory (ssh2's
// WebAssembly Poly1305 alone reserves 16 MiB). docs/performance.md, "Memory".
import type { Client } from 'ssh2';
import type SftpClient from 'ssh2-sftp-client';
import { loadOnce } from '../util/load-once.ts';

export interface SshLibrary {
  Client: typeof Client;
  SftpClient: typeof SftpClient;
}

export const loadSshLibrary: () => Promise<SshLibrary> = loadOnce(async () => {
  const [ssh2, sftp] = await Promise.all([import('ssh2'), import('ssh2-sftp-client')]);
  return { Client: ssh2.Client, SftpClient: sftp.default };
});
