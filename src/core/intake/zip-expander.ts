// Expands a ZIP batch into memory, refusing the whole archive at the first sign of danger: a name
// that escapes, encryption, a bomb, too many entries or bytes, nesting too deep. Entry headers are
// only a first filter: bytes are counted while inflating, because headers can lie.
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { classifyBytes } from '../inspect/classify.ts';

export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  maxEntryBytes: number;
  maxRatio: number;
  maxDepth: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1000,
  maxTotalBytes: 200 * 1024 * 1024,
  maxEntryBytes: 20 * 1024 * 1024,
  maxRatio: 200,
  maxDepth: 2,
};

export interface ZipEntryFile {
  /** Path inside the archive; nested archives add their own path, e.g. `batch/inner.zip/IT01234567890_1.xml`. */
  path: string;
  /** Base name. */
  name: string;
  bytes: Buffer;
}

export interface ZipSkipped {
  path: string;
  reason: string;
}

export type ZipRefusalCode = 'zip_corrupt' | 'zip_bomb' | 'zip_too_many_entries' | 'zip_too_large' | 'zip_path_traversal' | 'zip_encrypted' | 'zip_too_deep';

export class ZipRefusedError extends Error {
  readonly code: ZipRefusalCode;
  constructor(code: ZipRefusalCode, message: string) {
    super(message);
    this.name = 'ZipRefusedError';
    this.code = code;
  }
}

// Small, very repetitive files (a few KB of padding) legitimately compress beyond any sane ratio;
// the ratio only says "bomb" once the output is big enough to matter.
const RATIO_CHECK_AFTER_BYTES = 1024 * 1024;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

interface Budget {
  entries: number;
  totalBytes: number;
}

interface Expansion {
  files: ZipEntryFile[];
  skipped: ZipSkipped[];
}

export async function expandZip(bytes: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<Expansion> {
  const result: Expansion = { files: [], skipped: [] };
  await expandArchive(bytes, '', 1, limits, { entries: 0, totalBytes: 0 }, result);
  return result;
}

/** `prefix` is '' for the outer archive, or 'path/of/inner.zip/' for a nested one. */
async function expandArchive(bytes: Buffer, prefix: string, depth: number, limits: ZipLimits, budget: Budget, result: Expansion): Promise<void> {
  if (depth > limits.maxDepth) {
    throw new ZipRefusedError(
      'zip_too_deep',
      `nested archive ${prefix.slice(0, -1)} is ${depth} archives deep; at most ${limits.maxDepth} levels of archives are expanded`,
    );
  }
  let zip: ZipFile;
  try {
    // decodeStrings:false: names are decoded and checked here, so a traversal gets its own clear refusal.
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, autoClose: true });
  } catch (error) {
    throw fromYauzlError(error, prefix);
  }
  try {
    budget.entries += zip.entryCount;
    if (budget.entries > limits.maxEntries) {
      throw new ZipRefusedError(
        'zip_too_many_entries',
        `${archiveLabel(prefix)} has ${budget.entries} entries in all; at most ${limits.maxEntries} are accepted`,
      );
    }
    for await (const entry of zip.eachEntry()) {
      await expandEntry(zip, entry, prefix, depth, limits, budget, result);
    }
  } catch (error) {
    throw fromYauzlError(error, prefix);
  } finally {
    zip.close();
  }
}

async function expandEntry(zip: ZipFile, entry: Entry, prefix: string, depth: number, limits: ZipLimits, budget: Budget, result: Expansion): Promise<void> {
  const rawName = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  const entryPath = safeEntryPath(rawName, prefix);
  const path = prefix + entryPath;
  const skipReason = skipReasonFor(entryPath) ?? (isSymbolicLink(entry) ? 'a symbolic link, not a document' : null);
  if (skipReason) {
    result.skipped.push({ path, reason: skipReason });
    return;
  }
  if (entry.isEncrypted()) {
    throw new ZipRefusedError('zip_encrypted', `entry ${path} is password-protected: encrypted archives cannot be inspected; send the files unencrypted`);
  }
  if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATE) {
    throw new ZipRefusedError(
      'zip_corrupt',
      `entry ${path} uses compression method ${entry.compressionMethod}, which is not supported: create the archive with standard Deflate compression`,
    );
  }
  checkDeclaredSizes(entry, path, limits, budget);
  const bytes = await readEntryBytes(zip, entry, path, limits, budget);

  if (isZipContent(bytes) && classifyBytes(bytes, entryPath, { maxBytes: Number.MAX_SAFE_INTEGER }).ok) {
    await expandArchive(bytes, `${path}/`, depth + 1, limits, budget, result);
    return;
  }
  result.files.push({ path, name: baseName(entryPath), bytes });
}

/** Refuses names that would escape a folder if anyone ever extracted them to disk. */
function safeEntryPath(rawName: string, prefix: string): string {
  const refuse = (why: string): never => {
    throw new ZipRefusedError('zip_path_traversal', `${archiveLabel(prefix)} has an entry named ${JSON.stringify(rawName)}, which ${why}`);
  };
  if (rawName.length === 0) refuse('is empty');
  if (rawName.includes('\0')) refuse('contains a NUL character');
  const normalized = rawName.replace(/\\/g, '/');
  if (normalized.startsWith('/')) refuse('is an absolute path');
  if (/^[a-zA-Z]:/.test(normalized)) refuse('starts with a drive letter');
  if (normalized.split('/').includes('..')) refuse('climbs out of the archive with ".."');
  return normalized;
}

function skipReasonFor(entryPath: string): string | null {
  if (entryPath.endsWith('/')) return 'folder entry';
  const segments = entryPath.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('__MACOSX')) return 'macOS resource data (__MACOSX), not a document';
  if (segments.some((segment) => segment.startsWith('.'))) return 'hidden file (name starts with a dot)';
  const name = (segments[segments.length - 1] ?? '').toLowerCase();
  if (name === 'thumbs.db' || name === 'desktop.ini') return 'Windows folder metadata, not a document';
  return null;
}

/**
 * A Unix symbolic link stored as an entry: its bytes are the link's target path, not a document
 * (and an extractor would create a link that may point anywhere). Skipped, and named as such.
 */
function isSymbolicLink(entry: Entry): boolean {
  const madeOnUnix = entry.versionMadeBy >> 8 === 3;
  return madeOnUnix && ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
}

function checkDeclaredSizes(entry: Entry, path: string, limits: ZipLimits, budget: Budget): void {
  const declared = entry.uncompressedSize;
  const ratio = declared / Math.max(entry.compressedSize, 1);
  if (declared > RATIO_CHECK_AFTER_BYTES && ratio > limits.maxRatio) {
    throw new ZipRefusedError(
      'zip_bomb',
      `entry ${path} would expand ${Math.round(ratio)} times (${declared} bytes from ${entry.compressedSize}); over ${limits.maxRatio} times is treated as a zip bomb`,
    );
  }
  if (declared > limits.maxEntryBytes) {
    throw new ZipRefusedError('zip_too_large', `entry ${path} is ${declared} bytes uncompressed, over the ${limits.maxEntryBytes}-byte limit per file`);
  }
  if (budget.totalBytes + declared > limits.maxTotalBytes) {
    throw new ZipRefusedError('zip_too_large', `the archive expands to more than ${limits.maxTotalBytes} bytes in all (limit reached at entry ${path})`);
  }
}

/** Inflates one entry, enforcing the limits on the bytes actually produced. */
async function readEntryBytes(zip: ZipFile, entry: Entry, path: string, limits: ZipLimits, budget: Budget): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  let checksum = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    budget.totalBytes += chunk.length;
    if (size > limits.maxEntryBytes) {
      throw new ZipRefusedError(
        'zip_too_large',
        `entry ${path} inflates to more than ${limits.maxEntryBytes} bytes (its header claimed ${entry.uncompressedSize})`,
      );
    }
    if (budget.totalBytes > limits.maxTotalBytes) {
      throw new ZipRefusedError('zip_too_large', `the archive inflates to more than ${limits.maxTotalBytes} bytes in all (limit reached in entry ${path})`);
    }
    if (size > RATIO_CHECK_AFTER_BYTES && size / Math.max(entry.compressedSize, 1) > limits.maxRatio) {
      throw new ZipRefusedError(
        'zip_bomb',
        `entry ${path} inflates more than ${limits.maxRatio} times its ${entry.compressedSize} compressed bytes (its header claimed ${entry.uncompressedSize}): treated as a zip bomb`,
      );
    }
    checksum = crc32(chunk, checksum);
    chunks.push(chunk);
  }
  if (size !== entry.uncompressedSize) {
    throw new ZipRefusedError('zip_corrupt', `entry ${path} is damaged: it holds ${size} bytes but its header declares ${entry.uncompressedSize}`);
  }
  if (checksum !== entry.crc32) {
    throw new ZipRefusedError('zip_corrupt', `entry ${path} is damaged: its checksum (CRC-32) does not match`);
  }
  return Buffer.concat(chunks, size);
}

function fromYauzlError(error: unknown, prefix: string): ZipRefusedError {
  if (error instanceof ZipRefusedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/encrypt/i.test(message)) return new ZipRefusedError('zip_encrypted', `${archiveLabel(prefix)} uses encryption, which cannot be inspected: ${message}`);
  return new ZipRefusedError('zip_corrupt', `${archiveLabel(prefix)} is damaged or not a valid ZIP: ${message}`);
}

function isZipContent(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06));
}

function archiveLabel(prefix: string): string {
  return prefix ? `nested archive ${prefix.slice(0, -1)}` : 'the archive';
}

function baseName(entryPath: string): string {
  const segments = entryPath.split('/');
  return segments[segments.length - 1] ?? entryPath;
}
