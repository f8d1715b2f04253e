// Recognises a document by its first bytes, for clients that send application/octet-stream.
import { open } from 'node:fs/promises';

const MAGIC_NUMBERS: { format: string; magic: Buffer }[] = [
  { format: 'image/jpeg', magic: Buffer.from([0xff, 0xd8, 0xff]) },
  { format: 'image/pwg-raster', magic: Buffer.from('RaS2', 'latin1') },
  { format: 'image/png', magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { format: 'image/urf', magic: Buffer.from('UNIRAST\0', 'latin1') },
  { format: 'application/postscript', magic: Buffer.from('%!', 'latin1') },
];

/** The MIME type the file's content announces, or undefined when it is not one of the known formats. */
export async function sniffDocumentFormat(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead);
    const known = MAGIC_NUMBERS.find(({ magic }) => head.subarray(0, magic.length).equals(magic));
    if (known) return known.format;
    // A PDF header may follow some junk within the first 1024 bytes (ISO 32000-1 §7.5.2, implementation note).
    return head.includes('%PDF-') ? 'application/pdf' : undefined;
  } finally {
    await handle.close();
  }
}
