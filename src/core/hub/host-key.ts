// The SFTP server's host key is pinned by its SHA-256 fingerprint, written exactly as
// `ssh-keygen -l -E sha256` prints it, so a user can compare it with what the hub provider publishes.
import { createHash } from 'node:crypto';

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** 'SHA256:' + the base64 SHA-256 of the key blob, without '=' padding (as ssh-keygen prints it). */
export function sha256Fingerprint(hostKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '')}`;
}

/** Whether `value` is written like a fingerprint ssh-keygen prints (base64 is case-sensitive). */
export function isSha256Fingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

/**
 * The key type named inside an SSH public key blob (its first SSH string), e.g. "ssh-ed25519".
 * Null if the blob is too short to say.
 */
export function hostKeyType(hostKey: Buffer): string | null {
  if (hostKey.length < 4) return null;
  const length = hostKey.readUInt32BE(0);
  if (length === 0 || length > 64 || hostKey.length < 4 + length) return null;
  const type = hostKey.subarray(4, 4 + length).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : null;
}

/** The server showed a host key other than the pinned one: never accepted silently. */
export class HostKeyMismatchError extends Error {
  readonly expected: string;
  readonly actual: string;
  readonly server: string;

  constructor(server: string, expected: string, actual: string) {
    super(
      `the SFTP server ${server} presented host key ${actual}, but the pinned key is ${expected}: refused. ` +
        'If the hub changed its key, confirm the new fingerprint with the provider and update hub.sftp.hostKeyFingerprint',
    );
    this.name = 'HostKeyMismatchError';
    this.server = server;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A verifier for ssh2's `hostVerifier`: accepts only the pinned key and remembers what the
 * server showed, so a refusal can be reported with both fingerprints.
 */
export function pinnedHostKey(server: string, expected: string): { verify: (hostKey: Buffer) => boolean; mismatch: () => HostKeyMismatchError | null } {
  let refused: HostKeyMismatchError | null = null;
  return {
    verify(hostKey: Buffer): boolean {
      const actual = sha256Fingerprint(hostKey);
      if (actual === expected) return true;
      refused = new HostKeyMismatchError(server, expected, actual);
      return false;
    },
    mismatch: () => refused,
  };
}
