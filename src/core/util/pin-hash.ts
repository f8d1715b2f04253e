// Approvers' PINs as a slow hash (docs/approval.md, "PINs"): scrypt from node:crypto with a random
// salt per approver and the parameters recorded next to the hash, so they can be raised later
// without making the stored PINs unreadable. The PIN itself is never stored, logged or returned.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** What the store keeps for one PIN. */
export interface PinHash {
  algorithm: 'scrypt';
  /** CPU/memory cost (a power of two), block size, parallelism. */
  N: number;
  r: number;
  p: number;
  keyLength: number;
  /** base64 */
  salt: string;
  /** base64 */
  hash: string;
}

/**
 * 2^15 × 8 × 128 bytes = 32 MiB of memory and about 0.1 s of one core per check on a current PC:
 * nothing for a person typing a PIN, 10 guesses a second per core for someone holding the store
 * file (OWASP's scrypt minimum is N=2^17, r=8, p=1 at 128 MiB; a desktop agent keeps to 32 MiB
 * and relies on the lockout, docs/approval.md, for guesses through the API).
 */
export const PIN_HASH_PARAMETERS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltBytes: 16 } as const;

function derive(pin: string, salt: Buffer, parameters: { N: number; r: number; p: number; keyLength: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: parameters.N, r: parameters.r, p: parameters.p, maxmem: 256 * parameters.N * parameters.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // The libuv thread pool computes it: the event loop keeps serving while a PIN is checked.
    scrypt(pin.normalize('NFC'), salt, parameters.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPin(pin: string): Promise<PinHash> {
  const { N, r, p, keyLength, saltBytes } = PIN_HASH_PARAMETERS;
  const salt = randomBytes(saltBytes);
  const hash = await derive(pin, salt, { N, r, p, keyLength });
  return { algorithm: 'scrypt', N, r, p, keyLength, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

/** Whether `pin` is the one hashed; compared in constant time. */
export async function verifyPin(pin: string, stored: PinHash): Promise<boolean> {
  if (stored.algorithm !== 'scrypt') return false;
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await derive(pin, Buffer.from(stored.salt, 'base64'), stored);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A PIN a person can type: 4 to 32 characters, no control characters, no spaces at either end. */
export function pinProblem(pin: string): string | null {
  if (pin.length < 4) return 'a PIN has at least 4 characters';
  if (pin.length > 32) return 'a PIN has at most 32 characters';
  if (pin.trim() !== pin) return 'a PIN may not begin or end with a space';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(pin)) return 'a PIN may not hold control characters';
  return null;
}
