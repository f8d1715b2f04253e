// The bad-input corpus (test/fixtures/bad-inputs/): its manifest, typed and checked, the bytes of each
// entry (a file kept as data, or a recipe run here for bytes too large or too time-bound to keep: a
// 40 MB zip bomb, 100,000 entries, a signature made now), and the table docs/bad-inputs.md shows.
// Recipes reuse the generators of the other tests: makeZip and makePdf, contentCases, buildP7m.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { makePdf, makeZip } from './fixtures.ts';
import { contentCases, contentInvoice } from './content-rule-invoices.ts';
import { buildP7m, createTestSigner, toBase64P7m, type TestSigner } from './p7m.ts';

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/bad-inputs/', import.meta.url));

/** Where a corpus entry can arrive. */
export const CHANNELS = ['folder', 'api', 'printer', 'sftp'] as const;
export type Channel = (typeof CHANNELS)[number];

const regex = z.string().refine((pattern) => {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}, 'not a regular expression');

/** A document ends `invalid` with this code and a reason matching `reason`. */
const invalidOutcome = z.strictObject({ state: z.literal('invalid'), code: z.string().min(1), reason: regex });
/** A document is accepted and reaches `delivered` at the (sandbox) hub. */
const deliveredOutcome = z.strictObject({ state: z.literal('delivered'), reason: regex.optional() });
/** The folder channel leaves the file where it is, by design (a dot-file); no document. */
const ignoredOutcome = z.strictObject({ state: z.literal('ignored'), reason: regex });
const partOutcome = z.strictObject({
  name: z.string(),
  state: z.enum(['invalid', 'delivered']),
  code: z.string().optional(),
  reason: regex.optional(),
});
/** A ZIP that makes several documents: one outcome per entry. */
const partsOutcome = z.strictObject({ parts: z.array(partOutcome).min(2) });
/** The printer answers with this IPP status (and a status-message matching `reason`); no document. */
const ippOutcome = z.strictObject({ ipp: z.string().regex(/^(client|server)-error-/), reason: regex });
/** A status file in the hub's out/: moved to out/malformed/, or applied to nothing (an unknown document). */
const statusOutcome = z.strictObject({ statusFile: z.enum(['malformed', 'ignored']), reason: regex });
const outcome = z.union([invalidOutcome, deliveredOutcome, ignoredOutcome, partsOutcome, ippOutcome, statusOutcome]);
export type Outcome = z.infer<typeof outcome>;

const recipe = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('zip-bomb'), megabytes: z.number().int().positive() }),
  z.strictObject({ name: z.literal('zip-many-entries'), entries: z.number().int().positive() }),
  z.strictObject({ name: z.literal('pdf-padded'), megabytes: z.number().int().positive() }),
  z.strictObject({ name: z.literal('xml-huge-attribute'), bytes: z.number().int().positive(), number: z.number().int().positive() }),
  z.strictObject({ name: z.literal('content-rule'), sdi: z.string().regex(/^\d{5}$/) }),
  z.strictObject({
    name: z.literal('p7m'),
    invoice: z.number().int().positive().optional(),
    pdf: z.string().optional(),
    text: z.string().optional(),
    encoding: z.enum(['der', 'base64', 'pem']).optional(),
    detached: z.boolean().optional(),
    mutate: z.enum(['corrupt', 'truncate']).optional(),
  }),
  z.strictObject({ name: z.literal('status-huge'), bytes: z.number().int().positive() }),
]);
export type Recipe = z.infer<typeof recipe>;

const entry = z
  .strictObject({
    kind: z.string().regex(/^[a-z0-9-]+$/),
    group: z.enum(['xml', 'pdf', 'zip', 'p7m', 'ipp', 'print', 'name', 'status']),
    file: z.string().optional(),
    recipe: recipe.optional(),
    /** The name it is captured under (folder, API, and the printer's job-name without .pdf). */
    as: z.string().optional(),
    /** Printer: the document-format of the Print-Job (application/pdf when omitted). */
    format: z.string().optional(),
    /** SFTP: the status file's name; {seq}, {known} (a document the agent sent) and {unknown} are filled in. */
    statusFile: z.string().optional(),
    channels: z.array(z.enum(CHANNELS)).min(1),
    expect: outcome,
    byChannel: z.partialRecord(z.enum(CHANNELS), outcome).optional(),
    why: z.string().min(1),
  })
  .refine((e) => (e.file === undefined) !== (e.recipe === undefined), 'exactly one of file and recipe')
  .refine((e) => e.channels.every((c) => (c === 'sftp' ? e.statusFile !== undefined : c === 'printer' && e.group === 'ipp') || e.as !== undefined), {
    message: 'document channels need "as", sftp needs "statusFile"',
  });
export type CorpusEntry = z.infer<typeof entry>;

const manifestSchema = z.strictObject({ $comment: z.string(), entries: z.array(entry) });

export function loadCorpus(): CorpusEntry[] {
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(CORPUS_DIR, 'manifest.json'), 'utf8')));
  const kinds = new Set<string>();
  for (const e of manifest.entries) {
    if (kinds.has(e.kind)) throw new Error(`corpus kind ${e.kind} appears twice`);
    kinds.add(e.kind);
  }
  return manifest.entries;
}

/** What `entry` should end as on `channel`. */
export function expected(entry: CorpusEntry, channel: Channel): Outcome {
  return entry.byChannel?.[channel] ?? entry.expect;
}

export function entriesFor(entries: CorpusEntry[], channel: Channel): CorpusEntry[] {
  return entries.filter((e) => e.channels.includes(channel));
}

/** Makes the bytes of recipes once per run; one signer for every P7M. */
export class CorpusBytes {
  private signer: Promise<TestSigner> | null = null;
  private readonly made = new Map<string, Promise<Buffer>>();

  async of(entry: CorpusEntry): Promise<Buffer> {
    if (entry.file !== undefined) return readFileSync(join(CORPUS_DIR, entry.file));
    let bytes = this.made.get(entry.kind);
    if (!bytes) {
      bytes = this.build(entry.recipe!);
      this.made.set(entry.kind, bytes);
    }
    return bytes;
  }

  /** Writes the entry's bytes into `dir` (for channels that read files) and returns the path. */
  async materialize(entry: CorpusEntry, dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, entry.kind);
    await writeFile(path, await this.of(entry));
    return path;
  }

  private async build(recipe: Recipe): Promise<Buffer> {
    switch (recipe.name) {
      case 'zip-bomb':
        return makeZip([{ name: 'bomba.xml', data: Buffer.alloc(recipe.megabytes * 1024 * 1024, 0x20) }]);
      case 'zip-many-entries':
        return manyEntries(recipe.entries);
      case 'pdf-padded': {
        const pdf = makePdf('padded');
        const padding = Buffer.alloc(recipe.megabytes * 1024 * 1024 - pdf.length, 0x20);
        // Spaces after the header: the cross-reference offsets no longer match, but only the size matters here.
        return Buffer.concat([Buffer.from('%PDF-1.4\n'), padding, pdf.subarray('%PDF-1.4\n'.length)]);
      }
      case 'xml-huge-attribute':
        return Buffer.from(contentInvoice(recipe.number).replace('versione="FPR12"', `versione="FPR12" nota="${'A'.repeat(recipe.bytes)}"`));
      case 'content-rule': {
        const found = contentCases(700).find((c) => c.sdi === recipe.sdi);
        if (!found) throw new Error(`no content-rule invoice for SDI ${recipe.sdi}`);
        return Buffer.from(found.xml);
      }
      case 'p7m':
        return this.p7m(recipe);
      case 'status-huge':
        return Buffer.from(
          `{"seq": {seq}, "documentId": "doc_corpus", "idempotencyKey": "{known}", "status": "delivered", "at": "2026-01-01T00:00:00Z", "message": "${'x'.repeat(recipe.bytes)}"}\n`,
        );
    }
  }

  private async p7m(recipe: Extract<Recipe, { name: 'p7m' }>): Promise<Buffer> {
    this.signer ??= createTestSigner();
    const content =
      recipe.invoice !== undefined
        ? Buffer.from(contentInvoice(recipe.invoice))
        : recipe.pdf !== undefined
          ? makePdf(recipe.pdf)
          : Buffer.from(recipe.text ?? '');
    let der = await buildP7m(content, await this.signer, { detached: recipe.detached ?? false });
    if (recipe.mutate === 'corrupt') {
      // Overwrite the SignedData's first fields (version, digest algorithms, the start of the
      // encapsulated content): the outer header still says P7M, the structure inside no longer parses.
      der = Buffer.from(der);
      der.fill(0xff, 19, 19 + 32);
    }
    if (recipe.mutate === 'truncate') der = der.subarray(0, Math.floor(der.length * 0.7));
    if (recipe.encoding === 'base64') return toBase64P7m(der);
    if (recipe.encoding === 'pem') return toBase64P7m(der, { pem: true });
    return der;
  }
}

/**
 * A ZIP of `count` stored one-byte entries, written directly (yazl takes minutes for 100,000): local
 * headers and data, the central directory, then ZIP64 end records, since the classic end record
 * counts at most 65,535 entries.
 */
function manyEntries(count: number): Buffer {
  const data = Buffer.from('x');
  const crc = crc32(data);
  const names = Array.from({ length: count }, (_, i) => Buffer.from(`f${i}.txt`));
  const localSize = names.reduce((sum, name) => sum + 30 + name.length + data.length, 0);
  const centralSize = names.reduce((sum, name) => sum + 46 + name.length, 0);
  const out = Buffer.alloc(localSize + centralSize + 56 + 20 + 22);
  const offsets: number[] = [];
  let at = 0;
  for (const name of names) {
    offsets.push(at);
    out.writeUInt32LE(0x04034b50, at);
    out.writeUInt16LE(20, at + 4); // version needed
    out.writeUInt32LE(crc, at + 14);
    out.writeUInt32LE(data.length, at + 18);
    out.writeUInt32LE(data.length, at + 22);
    out.writeUInt16LE(name.length, at + 26);
    name.copy(out, at + 30);
    data.copy(out, at + 30 + name.length);
    at += 30 + name.length + data.length;
  }
  const centralStart = at;
  names.forEach((name, i) => {
    out.writeUInt32LE(0x02014b50, at);
    out.writeUInt16LE(45, at + 4); // made by
    out.writeUInt16LE(20, at + 6); // needed
    out.writeUInt32LE(crc, at + 16);
    out.writeUInt32LE(data.length, at + 20);
    out.writeUInt32LE(data.length, at + 24);
    out.writeUInt16LE(name.length, at + 28);
    out.writeUInt32LE(offsets[i]!, at + 42);
    name.copy(out, at + 46);
    at += 46 + name.length;
  });
  const zip64End = at;
  out.writeUInt32LE(0x06064b50, at);
  out.writeBigUInt64LE(44n, at + 4); // size of the rest of this record
  out.writeUInt16LE(45, at + 12);
  out.writeUInt16LE(45, at + 14);
  out.writeBigUInt64LE(BigInt(count), at + 24);
  out.writeBigUInt64LE(BigInt(count), at + 32);
  out.writeBigUInt64LE(BigInt(centralSize), at + 40);
  out.writeBigUInt64LE(BigInt(centralStart), at + 48);
  at += 56;
  out.writeUInt32LE(0x07064b50, at); // ZIP64 end locator
  out.writeBigUInt64LE(BigInt(zip64End), at + 8);
  out.writeUInt32LE(1, at + 16);
  at += 20;
  out.writeUInt32LE(0x06054b50, at);
  out.writeUInt16LE(0xffff, at + 8);
  out.writeUInt16LE(0xffff, at + 10);
  out.writeUInt32LE(0xffffffff, at + 12);
  out.writeUInt32LE(0xffffffff, at + 16);
  return out;
}

/** A status file's name (`seq` in 12 digits) or content (a JSON number) with its placeholders filled in. */
export function fillStatusTemplate(template: string, values: { seq: number; known: string; unknown: string }, as: 'name' | 'content'): string {
  return template
    .replaceAll('{seq}', as === 'name' ? String(values.seq).padStart(12, '0') : String(values.seq))
    .replaceAll('{known}', values.known)
    .replaceAll('{unknown}', values.unknown);
}

// ---- The table of docs/bad-inputs.md, made from the manifest.

export const TABLE_START = '<!-- corpus table: generated from test/fixtures/bad-inputs/manifest.json, checked by test/integration/bad-input-corpus.test.ts -->';
export const TABLE_END = '<!-- end of corpus table -->';

function describeOutcome(o: Outcome): string {
  if ('parts' in o) return o.parts.map((p) => `${p.name}: ${p.state === 'invalid' ? `invalid \`${p.code}\`` : 'delivered'}`).join('; ');
  if ('ipp' in o) return `IPP \`${o.ipp}\``;
  if ('statusFile' in o) return o.statusFile === 'malformed' ? 'moved to `out/malformed/`' : 'ignored (unknown document), removed';
  if (o.state === 'invalid') return `invalid \`${o.code}\``;
  if (o.state === 'ignored') return 'left in place (ignored)';
  return 'delivered';
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');

export function renderTable(entries: CorpusEntry[]): string {
  const header = `| kind | what | ${CHANNELS.join(' | ')} |\n|---|---|${CHANNELS.map(() => '---').join('|')}|`;
  const rows = entries.map((e) => {
    const cells = CHANNELS.map((channel) => (e.channels.includes(channel) ? escapeCell(describeOutcome(expected(e, channel))) : '—'));
    return `| \`${e.kind}\` | ${escapeCell(e.why)} | ${cells.join(' | ')} |`;
  });
  return [TABLE_START, header, ...rows, TABLE_END].join('\n');
}
