// docs/preflight.md must document every issue code the preflight can produce.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE = join(ROOT, 'src/core/inspect/preflight');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('docs/preflight.md', () => {
  it('lists every issue code, with an Italian and an English text', () => {
    const codes = new Set<string>();
    const sdiCodes = new Set<string>();
    for (const file of sources(SOURCE)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:preflightError|preflightWarning|\.add)\(\s*'([a-z_]+)'/g)) codes.add(match[1] ?? '');
      // SDI's content rules: contentError(context, 'code', 'sdiCode', …) and rule tables { code: '…', sdi: '…' }.
      for (const match of text.matchAll(/content(?:Error|Warning)\(\s*context,\s*'([a-z_]+)'/g)) codes.add(match[1] ?? '');
      for (const match of text.matchAll(/\bcode: '([a-z_]+)'/g)) codes.add(match[1] ?? '');
      for (const match of text.matchAll(/'(00[0-9]{3})'/g)) sdiCodes.add(match[1] ?? '');
    }
    // Sanity: the scan finds the codes of every rule family.
    expect(codes).toContain('not_fatturapa');
    expect(codes).toContain('schema_missing_element');
    expect(codes).toContain('numbering_gap');
    expect(codes.size).toBeGreaterThanOrEqual(55);
    const docs = readFileSync(join(ROOT, 'docs/preflight.md'), 'utf8');
    const undocumented = [...codes].filter((code) => !docs.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
    // Every SDI code a finding can carry has its row in the table of SDI codes.
    expect(codes).toContain('line_total_mismatch');
    expect(sdiCodes).toContain('00423');
    expect([...sdiCodes].filter((sdi) => !new RegExp(`^\\| ${sdi}[ ,]`, 'm').test(docs))).toEqual([]);
    expect(docs.match(/^- IT/gm)?.length).toBe(docs.match(/^- EN/gm)?.length);
  });
});
