// SDI notifications: every official sample read into its values, the state it leads to and a text
// a person understands; matching to the right document; hostile XML refused fast.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, SHARED_FIXTURES } from '../helpers/fixtures.ts';
import { startCpuClock } from '../helpers/cpu-time.ts';
import {
  explainNotification,
  matchNotification,
  NotificationError,
  readNotification,
  type NotificationType,
  type SdiNotification,
} from '../../src/core/inspect/notifications/read-notification.ts';

const sample = (type: NotificationType): Buffer => fixture('sdi', `IT01234567890_11111_${type}_001.xml`);
const INVOICE_FILE = 'IT01234567890_11111.xml.p7m';

function refusal(bytes: Buffer | string): NotificationError {
  try {
    readNotification(Buffer.from(bytes));
  } catch (error) {
    expect(error).toBeInstanceOf(NotificationError);
    return error as NotificationError;
  }
  throw new Error('expected the notification to be refused');
}

describe('official samples', () => {
  it('every sample in the fixtures has an expectation below (a new sample must be covered)', () => {
    const samples = readdirSync(`${SHARED_FIXTURES}sdi`).filter((name) => name.endsWith('.xml'));
    const types = samples.map((name) => /_([A-Z]{2})_\d{3}\.xml$/.exec(name)?.[1]).sort();
    expect(types).toEqual(['AT', 'DT', 'EC', 'MC', 'MT', 'NE', 'NS', 'RC']);
    for (const name of samples) expect(() => readNotification(fixture('sdi', name))).not.toThrow();
  });

  it('RC: delivered, with the delivery time and recipient; for a PA the 15 days to answer', () => {
    const n = readNotification(sample('RC'));
    expect(n).toMatchObject({
      type: 'RC',
      identificativoSdI: '111',
      nomeFile: INVOICE_FILE,
      messageId: '123456',
      receivedAt: '2013-06-06T12:00:00Z',
      deliveredAt: '2013-06-06T12:01:00Z',
      recipient: 'Amministrazione di prova (AAA111)',
      errors: [],
      esito: null,
    });
    const b2b = explainNotification(n, 'FPR12');
    expect(b2b.state).toBe('delivered');
    // 12:01 UTC is 14:01 in Rome (summer time).
    expect(b2b.text.it).toBe('Consegnata: SDI ha recapitato la fattura al cliente Amministrazione di prova (AAA111) il 06/06/2013 alle 14:01.');
    expect(b2b.text.en).toContain('Delivered: SDI delivered the invoice to the buyer');
    expect(b2b.text.en).toContain('2013-06-06 at 14:01 (Italian time)');
    const pa = explainNotification(n, 'FPA12');
    expect(pa.state).toBe('delivered');
    expect(pa.text.it).toContain('15 giorni per accettarla o rifiutarla');
    expect(pa.text.en).toContain('15 days to accept or refuse it');
  });

  it('NS: rejected, each error code with its description and what to do (new file name)', () => {
    const n = readNotification(sample('NS'));
    expect(n.type).toBe('NS');
    expect(n.identificativoSdI).toBe('111');
    expect(n.nomeFile).toBe(INVOICE_FILE);
    expect(n.receivedAt).toBe('2013-06-06T12:00:00Z');
    expect(n.errors).toEqual([{ code: '00100', description: 'Certificato di firma scaduto', suggestion: null }]);
    const { state, text } = explainNotification(n, 'FPR12');
    expect(state).toBe('rejected');
    expect(text.it).toContain('NON è stata emessa');
    expect(text.it).toContain('00100 Certificato di firma scaduto');
    expect(text.it).toContain('NUOVO nome file');
    expect(text.en).toContain('it was NOT issued');
    expect(text.en).toContain('00100 Certificato di firma scaduto — digital signature problem');
    expect(text.en).toContain('send it again under a NEW file name');
  });

  it('MC: not delivered; B2B means issued and in the cassetto fiscale (do not resend), PA means SDI keeps trying', () => {
    const n = readNotification(sample('MC'));
    expect(n).toMatchObject({
      type: 'MC',
      identificativoSdI: '111',
      nomeFile: INVOICE_FILE,
      receivedAt: '2013-06-06T12:00:00',
      description: 'Notifica di esempio',
      note: 'Esempio',
    });
    for (const formato of ['FPR12', 'FSM10', null] as const) {
      const b2b = explainNotification(n, formato);
      expect(b2b.state).toBe('not_delivered');
      expect(b2b.text.it).toContain('Emessa: la fattura è disponibile nel cassetto fiscale del cliente — non reinviarla');
      expect(b2b.text.en).toContain("Issued: the invoice is available in the buyer's cassetto fiscale — do not resend it");
    }
    const pa = explainNotification(n, 'FPA12');
    expect(pa.state).toBe('not_delivered');
    expect(pa.text.it).toContain('continua a provare');
    expect(pa.text.it).toContain('(AT)');
    expect(pa.text.en).toContain('keeps trying');
    expect(pa.text.en).not.toContain('cassetto fiscale');
  });

  it('NE: EC01 accepted; EC02 refused with the PA’s own description', () => {
    const n = readNotification(sample('NE'));
    expect(n).toMatchObject({
      type: 'NE',
      identificativoSdI: '111',
      nomeFile: INVOICE_FILE,
      esito: 'EC01',
      description: 'Notifica di esempio',
      note: 'Notifica di esito di esempio',
    });
    expect(explainNotification(n, 'FPA12')).toMatchObject({ state: 'accepted', text: { it: expect.stringContaining('Accettata') as string } });

    const refusedXml = sample('NE')
      .toString('utf8')
      .replace('<Esito>EC01</Esito>', '<Esito>EC02</Esito>')
      .replace('<Descrizione>Notifica di esempio</Descrizione>', '<Descrizione>Manca il codice CIG</Descrizione>');
    const refused = readNotification(Buffer.from(refusedXml));
    expect(refused.esito).toBe('EC02');
    const explained = explainNotification(refused, 'FPA12');
    expect(explained.state).toBe('refused');
    expect(explained.text.it).toContain('Rifiutata dalla pubblica amministrazione: Manca il codice CIG');
    expect(explained.text.en).toContain('Refused by the public administration: Manca il codice CIG');
  });

  it('DT: expired; AT: undeliverable, with the attestation and the office', () => {
    const dt = readNotification(sample('DT'));
    expect(dt).toMatchObject({ type: 'DT', identificativoSdI: '111', nomeFile: INVOICE_FILE, description: 'Notifica di esempio' });
    const expired = explainNotification(dt, 'FPA12');
    expect(expired.state).toBe('expired');
    expect(expired.text.it).toContain('entro 15 giorni');
    expect(expired.text.en).toContain('within 15 days');

    const at = readNotification(sample('AT'));
    expect(at).toMatchObject({
      type: 'AT',
      identificativoSdI: '111',
      nomeFile: INVOICE_FILE,
      receivedAt: '2014-04-01T12:00:00',
      recipient: 'Pubblica Amministrazione di prova (AAAAAA)',
    });
    const undeliverable = explainNotification(at, 'FPA12');
    expect(undeliverable.state).toBe('undeliverable');
    expect(undeliverable.text.it).toContain('attestazione di avvenuta trasmissione');
    expect(undeliverable.text.en).toContain('do not resend it');
  });

  it('MT, EC and SE are recipient-side: no state, an explanation', () => {
    const mt = readNotification(sample('MT'));
    expect(mt).toMatchObject({ type: 'MT', identificativoSdI: '111', nomeFile: INVOICE_FILE, recipient: 'AAA111' });
    expect(explainNotification(mt, null).state).toBeNull();
    expect(explainNotification(mt, null).text.en).toContain('recipient side');

    const ec = readNotification(sample('EC'));
    expect(ec).toMatchObject({ type: 'EC', identificativoSdI: '111', nomeFile: null, esito: 'EC01', messageId: '123456', description: 'Esempio' });
    expect(explainNotification(ec, 'FPA12').state).toBeNull();
    expect(explainNotification(ec, 'FPA12').text.it).toContain('lato destinatario');

    // No official SE sample: one in the schema's shape (ScartoEsitoCommittente_Type).
    const se = readNotification(
      Buffer.from(
        '<?xml version="1.0" encoding="UTF-8"?><types:ScartoEsitoCommittente xmlns:types="http://www.fatturapa.gov.it/sdi/messaggi/v1.0" versione="1.0">' +
          '<IdentificativoSdI>111</IdentificativoSdI><RiferimentoFattura><NumeroFattura>1111</NumeroFattura><AnnoFattura>2013</AnnoFattura></RiferimentoFattura>' +
          '<Scarto>EN01</Scarto><MessageId>123456</MessageId></types:ScartoEsitoCommittente>',
      ),
    );
    expect(se).toMatchObject({ type: 'SE', identificativoSdI: '111', errors: [{ code: 'EN01', description: 'Notifica non ammissibile', suggestion: null }] });
    const explained = explainNotification(se, 'FPA12');
    expect(explained.state).toBeNull();
    expect(explained.text.en).toContain('EN01 Notifica non ammissibile');
  });
});

describe('rejections worded for action', () => {
  const ns = (errors: string): Buffer =>
    Buffer.from(
      `<types:NotificaScarto xmlns:types="http://www.fatturapa.gov.it/sdi/messaggi/v1.0" versione="1.0"><IdentificativoSdI>000987</IdentificativoSdI>` +
        `<NomeFile>IT01234567890_00A1B.xml</NomeFile><DataOraRicezione>2025-03-01T10:00:00+01:00</DataOraRicezione><ListaErrori>${errors}</ListaErrori><MessageId>1</MessageId></types:NotificaScarto>`,
    );

  it('lists every error with SDI’s own Suggerimento (v1.2) or a hint for known codes', () => {
    const n = readNotification(
      ns(
        '<Errore><Codice>00311</Codice><Descrizione>1.1.4 &lt;CodiceDestinatario&gt; non valido</Descrizione></Errore>' +
          '<Errore><Codice>00423</Codice><Descrizione>2.2.1.11 PrezzoTotale errato</Descrizione><Suggerimento>Ricalcola il prezzo totale</Suggerimento></Errore>',
      ),
    );
    expect(n.identificativoSdI).toBe('000987');
    expect(n.errors.map((e) => e.code)).toEqual(['00311', '00423']);
    expect(n.errors[1]!.suggestion).toBe('Ricalcola il prezzo totale');
    const { state, text } = explainNotification(n, 'FPR12');
    expect(state).toBe('rejected');
    expect(text.it).toContain('00311 1.1.4 <CodiceDestinatario> non valido — verifica il codice destinatario');
    expect(text.it).toContain('00423 2.2.1.11 PrezzoTotale errato — Ricalcola il prezzo totale');
    expect(text.en).toContain("check the buyer's recipient code");
  });

  it('a duplicate invoice (00404) is not answered with "send it again"', () => {
    const { text } = explainNotification(readNotification(ns('<Errore><Codice>00404</Codice><Descrizione>Fattura duplicata</Descrizione></Errore>')), 'FPR12');
    expect(text.en).toContain('00404 Fattura duplicata');
    expect(text.en).toContain('do not send it again before checking whether the invoice was already issued');
    expect(text.en).not.toContain('NEW file name');
  });
});

describe('matching a notification to its document', () => {
  const rc = (): SdiNotification => readNotification(sample('RC'));

  it('by IdentificativoSdI first, even when another document has the same file name', () => {
    const candidates = [
      { id: 'other', sdiId: '222', sdiFileName: INVOICE_FILE },
      { id: 'mine', sdiId: '111', sdiFileName: 'IT01234567890_99999.xml' },
    ];
    expect(matchNotification(rc(), candidates)).toBe('mine');
    // An integer: leading zeros do not make another number.
    expect(matchNotification({ ...rc(), identificativoSdI: '000111' }, candidates)).toBe('mine');
  });

  it('by NomeFile when no document knows the SDI id yet; never a document with another SDI id', () => {
    expect(
      matchNotification(rc(), [
        { id: 'unsent', sdiId: null, sdiFileName: null },
        { id: 'mine', sdiId: null, sdiFileName: INVOICE_FILE },
      ]),
    ).toBe('mine');
    expect(matchNotification(rc(), [{ id: 'resent', sdiId: '222', sdiFileName: INVOICE_FILE }])).toBeNull();
    expect(matchNotification({ ...rc(), identificativoSdI: null }, [{ id: 'byname', sdiId: '222', sdiFileName: INVOICE_FILE.toLowerCase() }])).toBe('byname');
  });

  it('never by the notification’s own file name, and never a guess between two', () => {
    expect(matchNotification(rc(), [{ id: 'x', sdiId: null, sdiFileName: 'IT01234567890_11111_RC_001.xml' }])).toBeNull();
    expect(
      matchNotification(rc(), [
        { id: 'a', sdiId: null, sdiFileName: INVOICE_FILE },
        { id: 'b', sdiId: null, sdiFileName: INVOICE_FILE },
      ]),
    ).toBeNull();
    expect(matchNotification(rc(), [])).toBeNull();
  });
});

describe('refusals', () => {
  it('refuses a billion-laughs notification at once, without expanding anything', () => {
    const entities = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const bomb =
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]>` +
      '<types:RicevutaConsegna xmlns:types="http://www.fatturapa.gov.it/sdi/messaggi/v1.0"><IdentificativoSdI>&lol10;</IdentificativoSdI></types:RicevutaConsegna>';
    const cpuMs = startCpuClock(); // CPU time: what an expansion would burn, whatever the load
    const error = refusal(bomb);
    expect(cpuMs()).toBeLessThan(200);
    expect(error.code).toBe('xml_doctype');
    expect(error.message).toMatch(/DOCTYPE/);
  });

  it('refuses an external entity, even behind 100 KB of comment', () => {
    const xxe =
      `<?xml version="1.0"?><!--${'x'.repeat(100_000)}--><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
      '<types:NotificaScarto xmlns:types="http://www.fatturapa.gov.it/sdi/messaggi/v1.0"><IdentificativoSdI>1</IdentificativoSdI><Note>&xxe;</Note></types:NotificaScarto>';
    const cpuMs = startCpuClock();
    expect(refusal(xxe).code).toBe('xml_doctype');
    expect(cpuMs()).toBeLessThan(500);
  });

  it('refuses what is not an SDI notification, with the reason', () => {
    expect(refusal(fixture('fatturapa', 'IT01234567890_FPR01.xml')).code).toBe('not_a_notification');
    const otherNamespace = refusal('<RicevutaConsegna xmlns="urn:example"><IdentificativoSdI>1</IdentificativoSdI></RicevutaConsegna>');
    expect(otherNamespace.code).toBe('not_a_notification');
    expect(otherNamespace.message).toContain('urn:example');
    expect(refusal('<types:RicevutaConsegna xmlns:types="http://www.fatturapa.gov.it/sdi/messaggi/v1.0">').code).toBe('xml_malformed');
    expect(refusal(Buffer.alloc(3 * 1024 * 1024, 0x20)).code).toBe('xml_too_large');
  });

  it('refuses fields that would make the notification mean something else', () => {
    const id = refusal(sample('RC').toString('utf8').replace('<IdentificativoSdI>111<', '<IdentificativoSdI>111 OR 1=1<'));
    expect(id.code).toBe('bad_field');
    expect(id.message).toContain('IdentificativoSdI');
    expect(refusal(sample('NE').toString('utf8').replace('<Esito>EC01</Esito>', '<Esito>EC03</Esito>')).code).toBe('bad_field');
    expect(
      refusal(
        sample('NS')
          .toString('utf8')
          .replace(/<ListaErrori>[\s\S]*<\/ListaErrori>/, ''),
      ).code,
    ).toBe('missing_field');
  });
});
