// pdf-lib, loaded by the first print job that needs it instead of at start: an agent that never
// prints does not carry it (with the other packages loaded on first use, about 8 MiB of resident
// memory; docs/performance.md, "Memory").
import type * as PdfLibModule from 'pdf-lib';
import { loadOnce } from '../../util/load-once.ts';

type PdfLib = typeof PdfLibModule;

let loaded: PdfLib | undefined;

export const loadPdfLib: () => Promise<PdfLib> = loadOnce(async () => (loaded = await import('pdf-lib')));

/** For code that holds a document made by pdf-lib: the library is loaded by then. */
export function loadedPdfLib(): PdfLib {
  if (!loaded) throw new Error('pdf-lib is used before loadPdfLib() loaded it');
  return loaded;
}
