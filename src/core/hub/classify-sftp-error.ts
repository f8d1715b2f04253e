// Turns whatever an SFTP call threw (ssh2's connection errors, SFTP status codes, socket errors)
// into a HubRequestError whose kind tells the outbox what to do and whose message tells a person
// why. Messages name the server, the user and the folder, never a credential.
import { HubRequestError } from './hub-client.ts';
import { HostKeyMismatchError } from './host-key.ts';
import { NETWORK_REASONS as SHARED_NETWORK_REASONS } from './network-reasons.ts';
import { sanitize } from './sanitize.ts';

export interface SftpErrorContext {
  /** host:port, for messages. */
  server: string;
  username: string;
  /** How this client tried to log in: "key", "password" or "key and password". */
  authMethod?: string;
  /** The hub folder the call worked on, as shown to people: "in/" or "out/". */
  folder?: string;
  /** What was done to the folder, for messages: "write to", "read", "list"… */
  action?: string;
  /** Set when the call was about one file inside `folder`: a missing file is then not the folder's fault. */
  file?: string;
  /** Where the folder is on the server (the configured root), for messages. */
  root?: string;
  connectTimeoutMs?: number;
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02, what OpenSSH speaks). */
export const SFTP_STATUS = {
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
} as const;

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ...SHARED_NETWORK_REASONS,
  ECONNREFUSED: 'connection refused (is the SFTP server running, and is the port right?)',
};

/** ssh2 and ssh2-sftp-client say a connection died in these words. */
const CONNECTION_LOST =
  /no response from server|not connected|unexpected (close|end) event|connection lost|channel (open )?fail|socket (is )?closed|keepalive timeout/i;

const MAX_DETAIL_CHARS = 200;

export function classifySftpError(error: unknown, context: SftpErrorContext): HubRequestError {
  if (error instanceof HubRequestError) return error;
  const { server } = context;
  const cause = error;

  if (error instanceof HostKeyMismatchError) {
    return new HubRequestError({
      kind: 'host_key',
      code: 'host_key_mismatch',
      message: error.message,
      details: { expected: error.expected, actual: error.actual },
      cause,
    });
  }

  const message = error instanceof Error ? error.message : String(error);
  const level = (error as { level?: unknown } | null)?.level;
  const code = (error as { code?: unknown } | null)?.code;

  if (level === 'client-authentication' || /all configured authentication methods failed/i.test(message)) {
    return new HubRequestError({
      kind: 'auth',
      code: 'auth_failed',
      message: `the SFTP server ${server} refused the ${context.authMethod ?? 'credentials'} for user ${context.username}`,
      cause,
    });
  }
  if (/cannot parse privatekey|does not contain a \(valid\) private key|passphrase/i.test(message)) {
    return new HubRequestError({
      kind: 'auth',
      code: 'bad_private_key',
      message: `the configured SFTP private key cannot be used: ${privateKeyProblem(message)}`,
      cause,
    });
  }

  if (typeof code === 'number') {
    const statusError = classifySftpStatus(code, message, context, cause);
    if (statusError) return statusError;
  }

  if (level === 'client-timeout' || /timed out while waiting for handshake/i.test(message)) {
    const stopped = /keepalive/i.test(message);
    const within = context.connectTimeoutMs ? ` within ${Math.round(context.connectTimeoutMs / 100) / 10} s` : '';
    return new HubRequestError({
      kind: 'transient',
      code: 'timeout',
      message: stopped
        ? `the SFTP server ${server} stopped answering (keepalive timeout)`
        : `the SFTP server ${server} did not complete the SSH handshake${within}`,
      cause,
    });
  }

  const networkCode = typeof code === 'string' && code in NETWORK_REASONS ? code : Object.keys(NETWORK_REASONS).find((known) => message.includes(known));
  if (networkCode) {
    return new HubRequestError({
      kind: 'transient',
      code: networkCode,
      message: `the SFTP server ${server} is unreachable: ${NETWORK_REASONS[networkCode]}`,
      cause,
    });
  }
  if (level === 'client-dns') {
    return new HubRequestError({ kind: 'transient', code: 'ENOTFOUND', message: `the SFTP server ${server} is unreachable: host name not found`, cause });
  }
  if (CONNECTION_LOST.test(message)) {
    return new HubRequestError({
      kind: 'transient',
      code: 'connection_lost',
      message: `the connection to the SFTP server ${server} was lost${context.folder ? ` while working on ${context.folder}` : ''}`,
      cause,
    });
  }
  if (/handshake failed|no matching|kex|unsupported (key|algorithm)/i.test(message)) {
    return new HubRequestError({
      kind: 'transient',
      code: 'handshake_failed',
      message: `the SSH handshake with ${server} failed: ${sanitize(message, MAX_DETAIL_CHARS)}`,
      cause,
    });
  }
  return new HubRequestError({
    kind: 'transient',
    code: 'sftp_failed',
    message: `the SFTP call to ${server} failed${context.folder ? ` on ${context.folder}` : ''}: ${sanitize(message, MAX_DETAIL_CHARS)}`,
    cause,
  });
}

function classifySftpStatus(code: number, message: string, context: SftpErrorContext, cause: unknown): HubRequestError | null {
  const { server, username } = context;
  const folder = context.folder ?? 'the hub folder';
  const where = context.root ? ` (under ${context.root})` : '';
  switch (code) {
    case SFTP_STATUS.PERMISSION_DENIED:
      return new HubRequestError({
        kind: 'permissions',
        code: 'permission_denied',
        message: `the SFTP server ${server} does not let user ${username} ${context.action ?? 'use'} ${folder}${where} (permission denied); ask the hub provider to fix the folder's permissions`,
        cause,
      });
    case SFTP_STATUS.NO_SUCH_FILE:
      if (context.file) {
        return new HubRequestError({
          kind: 'transient',
          code: 'file_missing',
          message: `the file ${context.file} is not on the SFTP server ${server} (in ${folder}${where})`,
          cause,
        });
      }
      return new HubRequestError({
        kind: 'permissions',
        code: 'no_such_folder',
        message: `the folder ${folder} does not exist on the SFTP server ${server}${where}; check hub.sftp.root or ask the hub provider to create it`,
        cause,
      });
    case SFTP_STATUS.NO_CONNECTION:
    case SFTP_STATUS.CONNECTION_LOST:
      return new HubRequestError({
        kind: 'transient',
        code: 'connection_lost',
        message: `the connection to the SFTP server ${server} was lost while working on ${folder}`,
        cause,
      });
    default:
      if (code >= 1 && code <= 31) {
        return new HubRequestError({
          kind: 'transient',
          code: 'sftp_failed',
          message: `the SFTP server ${server} could not ${context.action ?? 'use'} ${folder}${where}: ${sanitize(message, MAX_DETAIL_CHARS)} (SFTP status ${code})`,
          cause,
        });
      }
      return null;
  }
}

function privateKeyProblem(message: string): string {
  if (/no passphrase given/i.test(message)) return 'it is encrypted and no passphrase is configured';
  if (/bad passphrase|decrypt/i.test(message)) return 'the passphrase is wrong';
  if (/unsupported key format|does not contain/i.test(message)) return 'it is not a private key in a format this agent reads (OpenSSH or PEM)';
  return sanitize(message.replace(/^.*?cannot parse privatekey:\s*/i, ''), MAX_DETAIL_CHARS);
}
