// The upload's integrity header (RFC 9530): the hub recomputes it and refuses a mismatch, so a
// body damaged in transit (or by a proxy) can never become an invoice.
import { createHash } from 'node:crypto';

export function contentDigestSha256(bytes: Buffer): string {
  return `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
}
