// ssh2 and ssh2-sftp-client, loaded on the first SFTP connection instead of at start: an agent that
// talks HTTPS never needs them, and loaded they cost it about 8 MiB of resident memory (ssh2's
// WebAssembly Poly1305 alone reserves 16 MiB). docs/performance.md, "Memory".
import type { Client } from 'ssh2';
import type SftpClient from 'ssh2-sftp-client';

export interface SshLibrary {
  Client: typeof Client;
  SftpClient: typeof SftpClient;
}

let loading: Promise<SshLibrary> | undefined;

export function loadSshLibrary(): Promise<SshLibrary> {
  loading ??= Promise.all([import('ssh2'), import('ssh2-sftp-client')]).then(
    ([ssh2, sftp]) => ({ Client: ssh2.Client, SftpClient: sftp.default }),
    (error: unknown) => {
      loading = undefined; // the next connection tries again
      throw error;
    },
  );
  return loading;
}
