// pkijs and asn1js, loaded by the first signed invoice (P7M) instead of at start: most agents
// receive plain XML, and each thread that loaded them (the main one and every capture worker)
// carried about 7 MiB more (docs/performance.md, "Memory").
import type * as Asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';
import { loadOnce } from '../../util/load-once.ts';

export interface CmsLibrary {
  asn1js: typeof Asn1js;
  pkijs: typeof Pkijs;
}

export const loadCmsLibrary: () => Promise<CmsLibrary> = loadOnce(async () => {
  const [asn1js, pkijs] = await Promise.all([import('asn1js'), import('pkijs')]);
  return { asn1js, pkijs };
});
