// Host key pinning: fingerprints written exactly as `ssh-keygen -l -E sha256` prints them, and a
// refusal that names both keys and says what to do.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HostKeyMismatchError, hostKeyType, isSha256Fingerprint, pinnedHostKey, sha256Fingerprint } from '../../src/core/hub/host-key.ts';

/** Key blobs from `ssh-keygen`, with the fingerprints `ssh-keygen -l -E sha256` printed for them. */
const ED25519_BLOB = 'AAAAC3NzaC1lZDI1NTE5AAAAIB1YG97Z2UrsZWA/4T2u8q6nKp0o58xCIHvZzHEwe93s';
const ED25519_FINGERPRINT = 'SHA256:Oma6Is67LnS6gS8zdtpmD8fnAf0bORC5MbtqCxEQGfE';
const RSA_BLOB =
  'AAAAB3NzaC1yc2EAAAADAQABAAAAgQDmz0yoyDLs2Tq4PhspWGRBB3mB3FB6BHoJPNgomvFBtPxQ4ng8CtXHnh5wu6QHyjlKK23Z+y8JpCDDev9rAupp2zSbtP6WxApyQV8bZxx+mTRevcTju7IM0HefdHcv9Ov+IK1NCUI9XBU54kHKC7CLHOwruM0vebikrV1TWRfw4w==';
const RSA_FINGERPRINT = 'SHA256:EjN+uwQmru+b55PQRlK4E1qyW86hiBmmXXJ4fPyUqq0';

/** The SSH wire form of an ed25519 public key: string "ssh-ed25519", string key. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const string = (value: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, value.length]), value]);
  return Buffer.concat([string(Buffer.from('ssh-ed25519')), string(raw)]);
}

describe('sha256Fingerprint', () => {
  it('matches ssh-keygen for ed25519 and RSA keys', () => {
    expect(sha256Fingerprint(Buffer.from(ED25519_BLOB, 'base64'))).toBe(ED25519_FINGERPRINT);
    expect(sha256Fingerprint(Buffer.from(RSA_BLOB, 'base64'))).toBe(RSA_FINGERPRINT);
  });

  it('has no base64 padding and is what the settings accept', () => {
    for (let i = 0; i < 20; i += 1) {
      const fingerprint = sha256Fingerprint(ed25519Blob());
      expect(fingerprint).not.toContain('=');
      expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(isSha256Fingerprint(fingerprint)).toBe(true);
    }
    expect(isSha256Fingerprint('SHA256:Oma6Is67LnS6gS8zdtpmD8fnAf0bORC5MbtqCxEQGfE=')).toBe(false);
    expect(isSha256Fingerprint('MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48')).toBe(false);
  });
});

describe('hostKeyType', () => {
  it('reads the type named in the key blob', () => {
    expect(hostKeyType(Buffer.from(ED25519_BLOB, 'base64'))).toBe('ssh-ed25519');
    expect(hostKeyType(Buffer.from(RSA_BLOB, 'base64'))).toBe('ssh-rsa');
    expect(hostKeyType(Buffer.from([0, 0]))).toBeNull();
    expect(hostKeyType(Buffer.from([0, 0, 1, 0, 65]))).toBeNull();
  });
});

describe('pinnedHostKey', () => {
  it('accepts only the pinned key and remembers what a refused server showed', () => {
    const pin = pinnedHostKey('sftp.example.com:22', ED25519_FINGERPRINT);
    expect(pin.verify(Buffer.from(ED25519_BLOB, 'base64'))).toBe(true);
    expect(pin.mismatch()).toBeNull();

    expect(pin.verify(Buffer.from(RSA_BLOB, 'base64'))).toBe(false);
    const refused = pin.mismatch();
    expect(refused).toBeInstanceOf(HostKeyMismatchError);
    expect(refused?.expected).toBe(ED25519_FINGERPRINT);
    expect(refused?.actual).toBe(RSA_FINGERPRINT);
  });

  it('compares fingerprints exactly (base64 is case-sensitive)', () => {
    const pin = pinnedHostKey('h:22', ED25519_FINGERPRINT.toLowerCase().replace('sha256:', 'SHA256:'));
    expect(pin.verify(Buffer.from(ED25519_BLOB, 'base64'))).toBe(false);
  });
});

describe('HostKeyMismatchError', () => {
  it('shows both fingerprints and what to do', () => {
    const error = new HostKeyMismatchError('127.0.0.1:2222', ED25519_FINGERPRINT, RSA_FINGERPRINT);
    expect(error.message).toBe(
      `the SFTP server 127.0.0.1:2222 presented host key ${RSA_FINGERPRINT}, but the pinned key is ${ED25519_FINGERPRINT}: refused. ` +
        'If the hub changed its key, confirm the new fingerprint with the provider and update hub.sftp.hostKeyFingerprint',
    );
    expect(error.expected).toBe(ED25519_FINGERPRINT);
    expect(error.actual).toBe(RSA_FINGERPRINT);
  });
});
