// Preflight from the bytes of an XML file: a file that is not well-formed XML is the first
// mistake SDI rejects, and the only one that needs the bytes rather than the parsed tree.
import { XmlRefusedError, parseXml } from '../../xml/safe-xml.ts';
import { checkFile } from './file-checks.ts';
import { preflightError } from './issue.ts';
import { preflightFatturaPa } from './preflight.ts';
import type { PreflightContext, PreflightIssue } from './types.ts';

export function preflightFatturaPaXml(xml: Uint8Array | string, context: Omit<PreflightContext, 'size'> & { size?: number }): PreflightIssue[] {
  const size = context.size ?? (typeof xml === 'string' ? Buffer.byteLength(xml) : xml.byteLength);
  let root;
  try {
    root = parseXml(xml);
  } catch (error) {
    if (!(error instanceof XmlRefusedError)) throw error;
    const detail = error.message.replace(/[.\s]+$/, '');
    return [
      preflightError(
        'not_well_formed',
        undefined,
        {
          it: `Il file non è un XML valido e SDI lo scarterebbe (${detail}). Rigenerarlo dal gestionale o correggerlo.`,
          en: `The file is not well-formed XML and SDI would reject it (${detail}). Export it again from the invoicing software or fix it.`,
        },
        '00200',
      ),
      ...checkFile(context.fileName, size),
    ];
  }
  return preflightFatturaPa(root, { fileName: context.fileName, size, history: context.history, today: context.today });
}
