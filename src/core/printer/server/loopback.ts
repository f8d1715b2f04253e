// The printer serves this computer only: peers and Host names must be loopback.
import { isIP } from 'node:net';

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x addresses. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const unmapped = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(unmapped) === 4) return unmapped.startsWith('127.');
  return isIP(unmapped) === 6 && /^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(unmapped.toLowerCase());
}

export interface HostHeader {
  hostname: string;
  port: number | null;
  /** As it goes back into URIs: host[:port], IPv6 literals in brackets. */
  authority: string;
}

/**
 * The Host header, if it names this computer (localhost, *.localhost or a loopback address).
 * Anything else is refused: a web page reaching the printer through DNS rebinding would carry its own name.
 */
export function parseLoopbackHost(header: string | undefined): HostHeader | null {
  if (!header) return null;
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(header.trim());
  if (!match) return null;
  const hostname = match[1]!.toLowerCase();
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65_535)) return null;
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const loopback = bare === 'localhost' || bare.endsWith('.localhost') || isLoopbackAddress(bare);
  if (!loopback) return null;
  return { hostname, port, authority: port === null ? hostname : `${hostname}:${port}` };
}
