// pkijs and asn1js, loaded by the first signed invoice (P7M) instead of at start: most agents
// receive plain XML, and each thread that loaded them (the main one and every capture worker)
// carried about 7 MiB more (docs/performance.md, "Memory").
import type * as Asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';

export interface CmsLibrary {
  asn1js: typeof Asn1js;
  pkijs: typeof Pkijs;
}

let loading: Promise<CmsLibrary> | undefined;

export function loadCmsLibrary(): Promise<CmsLibrary> {
  loading ??= Promise.all([import('asn1js'), import('pkijs')]).then(
    ([asn1js, pkijs]) => ({ asn1js, pkijs }),
    (error: unknown) => {
      loading = undefined; // the next P7M tries again
      throw error;
    },
  );
  return loading;
}
