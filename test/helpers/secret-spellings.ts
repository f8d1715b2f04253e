// The ways a careless program could write a secret down, for tests that look for leaks in logs,
// ZIPs and answers: each must find none of them.

/** The whole value, spelled as a program might write it, as bytes. */
export function secretSpellings(value: string): { how: string; bytes: Buffer }[] {
  const utf8 = Buffer.from(value, 'utf8');
  return [
    { how: 'plain', bytes: utf8 },
    { how: 'JSON-escaped', bytes: Buffer.from(JSON.stringify(value).slice(1, -1)) },
    { how: 'base64', bytes: Buffer.from(utf8.toString('base64')) },
    { how: 'base64url', bytes: Buffer.from(utf8.toString('base64url')) },
    { how: 'hex', bytes: Buffer.from(utf8.toString('hex')) },
    { how: 'URL-encoded', bytes: Buffer.from(encodeURIComponent(value)) },
    { how: 'UTF-16LE', bytes: Buffer.from(value, 'utf16le') },
  ];
}

/**
 * What must not appear anywhere: each spelling above, and the base64 of the secret inside a longer
 * run at byte offsets 0, 1 and 2 (the characters that depend on the secret alone). A PEM key's body
 * lines count one by one.
 */
export function leakNeedles(value: string): { how: string; bytes: Buffer }[] {
  const out = secretSpellings(value);
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(value), Buffer.alloc(3)]).toString('base64');
    const core = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + Buffer.byteLength(value)) * 8) / 6));
    out.push({ how: `base64 at offset ${offset}`, bytes: Buffer.from(core) });
    out.push({ how: `base64url at offset ${offset}`, bytes: Buffer.from(core.replace(/\+/g, '-').replace(/\//g, '_')) });
  }
  for (const line of value.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'))) out.push({ how: 'a line of it', bytes: Buffer.from(line) });
  return out;
}
