// The sandbox hub's simulated SDI over real HTTPS (its own generated CA): the official samples, a
// PDF, a P7M and every magic value, with notification files checked against MessaggiTypes v1.1.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubDocument, HubEvent } from '../../src/contract/hub-protocol.ts';
import { childElements, elementAt, parseXml, textAt } from '../../src/core/xml/safe-xml.ts';
import type { XmlElement } from '../../src/core/xml/safe-xml.ts';
import { createSandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import type { SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { SandboxHttpsClient } from '../../src/sandbox-hub/sandbox-hub-client.ts';
import { fixture, makePdf } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const MESSAGES_NS = 'http://www.fatturapa.gov.it/sdi/messaggi/v1.0';
const TERMINAL = new Set(['delivered', 'not_delivered', 'rejected', 'accepted', 'refused', 'expired', 'undeliverable', 'failed', 'paid']);

let hub: SandboxHub;
let client: SandboxHttpsClient;
let apiKey: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await makeTempDir('sandbox-hub-sdi-');
  cleanup = temp.cleanup;
  hub = await createSandboxHub({ dataDir: temp.dir });
  client = await SandboxHttpsClient.fromFiles(hub.url, hub.caFile);
  apiKey = hub.createApiKey({ name: 'sdi tests' });
});

afterAll(async () => {
  client?.close();
  await hub?.close();
  await cleanup?.();
});

async function send(bytes: Buffer, contentType: string, fileName = 'invoice'): Promise<string> {
  const response = await client.upload(apiKey, bytes, { contentType, idempotencyKey: randomUUID(), fileName });
  expect(response.status, response.body.toString()).toBe(201);
  return response.json<{ id: string }>().id;
}

async function document(id: string): Promise<HubDocument> {
  const response = await client.get(apiKey, `/v1/documents/${id}`);
  expect(response.status).toBe(200);
  return response.json<HubDocument>();
}

/** Waits until the document has gone through `count` statuses and returns it. */
async function settled(id: string, count: number): Promise<HubDocument> {
  return waitFor(
    `document ${id} to have ${count} statuses`,
    async () => {
      const current = await document(id);
      return current.history.length >= count && TERMINAL.has(current.status) ? current : null;
    },
    10_000,
    20,
  );
}

function statuses(doc: HubDocument): string[] {
  return doc.history.map((event) => event.status);
}

async function download(id: string, name: string): Promise<Buffer> {
  const response = await client.get(apiKey, `/v1/documents/${id}/files/${encodeURIComponent(name)}`);
  expect(response.status).toBe(200);
  expect(response.headers['content-digest']).toBe(`sha-256=:${createHash('sha256').update(response.body).digest('base64')}:`);
  return response.body;
}

/** The notification of one event, downloaded and parsed with safe-xml; checks name, root and ids. */
async function notificationOf(doc: HubDocument, event: HubEvent, type: string, root: string): Promise<XmlElement> {
  expect(event.notification?.type).toBe(type);
  const sdi = event.sdi as { id: string; fileName: string };
  const base = sdi.fileName.replace(/\.xml(\.p7m)?$/, '');
  expect(event.notification?.fileName).toMatch(new RegExp(`^${base}_${type}_\\d{3}\\.xml$`));
  expect(event.files).toEqual([event.notification?.fileName]);
  const bytes = await download(doc.id, event.notification?.fileName as string);
  const info = doc.files.find((file) => file.name === event.notification?.fileName);
  expect(info).toMatchObject({ kind: 'sdi_notification', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  const xml = parseXml(bytes);
  expect(xml.local).toBe(root);
  expect(xml.uri).toBe(MESSAGES_NS);
  expect(xml.attributes.versione).toBe('1.0');
  expect(textAt(xml, 'IdentificativoSdI')).toBe(sdi.id);
  expect(textAt(xml, 'NomeFile')).toBe(sdi.fileName);
  expectSchemaOrder(xml);
  return xml;
}

// ---- The element order of MessaggiTypes_v1.1.xsd, read from the schema itself. ----

interface SchemaChild {
  name: string;
  required: boolean;
  type: string | undefined;
}

const schema = parseXml(fixture('sdi', 'MessaggiTypes_v1.1.xsd'));
const complexTypes = new Map(childElements(schema, 'complexType').map((type) => [type.attributes.name as string, type]));
const rootTypes = new Map(childElements(schema, 'element').map((element) => [element.attributes.name as string, localType(element.attributes.type)]));

function localType(type: string | undefined): string | undefined {
  return type?.replace(/^types:/, '');
}

function sequenceOf(typeName: string): SchemaChild[] {
  const sequence = elementAt(complexTypes.get(typeName), 'sequence');
  expect(sequence, `schema type ${typeName}`).toBeDefined();
  return childElements(sequence, 'element').map((element) => ({
    name: element.attributes.name ?? (element.attributes.ref as string),
    required: element.attributes.minOccurs !== '0',
    type: localType(element.attributes.type),
  }));
}

/** Children in schema order, every required one present (except ds:Signature: see notification-xml.ts). */
function expectSchemaOrder(element: XmlElement, typeName = rootTypes.get(element.local) as string): void {
  const sequence = sequenceOf(typeName);
  const names = sequence.map((child) => child.name);
  const positions = element.children.map((child) => names.indexOf(child.local));
  expect(positions, `${element.local} children ${element.children.map((c) => c.local).join(',')}`).not.toContain(-1);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  const present = new Set(element.children.map((child) => child.local));
  for (const child of sequence) {
    if (child.required && child.name !== 'ds:Signature') expect(present, `${element.local} lacks ${child.name}`).toContain(child.name);
  }
  for (const child of element.children) {
    const type = sequence.find((entry) => entry.name === child.local)?.type;
    if (type && complexTypes.has(type)) expectSchemaOrder(child, type);
  }
}

// ---- Invoices made from the official samples. ----

function withHeader(sample: string, replace: (xml: string) => string): Buffer {
  return Buffer.from(replace(fixture('fatturapa', sample).toString('utf8')), 'utf8');
}

function fpr(codiceDestinatario: string, pec?: string): Buffer {
  return withHeader('IT01234567890_FPR01.xml', (xml) =>
    xml.replace(
      /<CodiceDestinatario>\w+<\/CodiceDestinatario>/,
      `<CodiceDestinatario>${codiceDestinatario}</CodiceDestinatario>${pec ? `<PECDestinatario>${pec}</PECDestinatario>` : ''}`,
    ),
  );
}

function fpa(codiceDestinatario: string): Buffer {
  return withHeader('IT01234567890_FPA01.xml', (xml) =>
    xml.replace('<CodiceDestinatario>AAAAAA</CodiceDestinatario>', `<CodiceDestinatario>${codiceDestinatario}</CodiceDestinatario>`),
  );
}

describe('sandbox hub: simulated SDI', () => {
  it('delivers the official FPR12 sample with an RC whose XML follows the schema', async () => {
    const id = await send(fixture('fatturapa', 'IT01234567890_FPR01.xml'), 'application/xml', 'IT01234567890_FPR01.xml');
    const doc = await settled(id, 4);
    expect(statuses(doc)).toEqual(['received', 'processing', 'sent', 'delivered']);
    const sent = doc.history[2] as HubEvent;
    expect(sent.sdi?.id).toMatch(/^\d{1,12}$/);
    expect(sent.sdi?.fileName).toMatch(/^IT\d{11}_[A-Za-z0-9]{5}\.xml$/);
    expect(doc.history.map((event) => event.seq)).toEqual([...doc.history.map((event) => event.seq)].sort((a, b) => a - b));
    const rc = await notificationOf(doc, doc.history[3] as HubEvent, 'RC', 'RicevutaConsegna');
    expect(doc.history[3]?.notification?.fileName).toBe(`${(sent.sdi?.fileName as string).replace('.xml', '')}_RC_001.xml`);
    expect(textAt(rc, 'Destinatario', 'Codice')).toBe('ABC1234');
    expect(Date.parse(textAt(rc, 'DataOraConsegna') as string)).not.toBeNaN();
  });

  it.each(['IT01234567890_FPA01.xml', 'IT01234567890_FPA02.xml'])('delivers %s to the PA, which accepts it (RC then NE EC01)', async (sample) => {
    const id = await send(fixture('fatturapa', sample), 'application/xml', sample);
    const doc = await settled(id, 5);
    expect(statuses(doc)).toEqual(['received', 'processing', 'sent', 'delivered', 'accepted']);
    await notificationOf(doc, doc.history[3] as HubEvent, 'RC', 'RicevutaConsegna');
    const ne = await notificationOf(doc, doc.history[4] as HubEvent, 'NE', 'NotificaEsito');
    expect(doc.history[4]?.notification?.fileName).toMatch(/_NE_002\.xml$/);
    expect(textAt(ne, 'EsitoCommittente', 'Esito')).toBe('EC01');
    expect(elementAt(ne, 'EsitoCommittente')?.attributes.versione).toBe('1.0');
    expect(textAt(ne, 'EsitoCommittente', 'RiferimentoFattura', 'NumeroFattura')).toBe('123');
    expect(doc.files.map((file) => file.name)).toHaveLength(2);
  });

  it('converts and delivers a PDF', async () => {
    const id = await send(makePdf('Fattura 42 a Beta Spa'), 'application/pdf', 'fattura 42.pdf');
    const doc = await settled(id, 4);
    expect(statuses(doc)).toEqual(['received', 'processing', 'sent', 'delivered']);
    await notificationOf(doc, doc.history[3] as HubEvent, 'RC', 'RicevutaConsegna');
  });

  it('treats a P7M with the invoice inside as signed, and one without as an invalid signature (NS 00102)', async () => {
    const xml = fixture('fatturapa', 'IT01234567890_FPR01.xml');
    const envelope = Buffer.concat([Buffer.from([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48]), xml, Buffer.from([0xa0, 0x82, 0x01, 0x00])]);
    const signed = await settled(await send(envelope, 'application/pkcs7-mime', 'IT01234567890_FPR01.xml.p7m'), 4);
    expect(statuses(signed)).toEqual(['received', 'processing', 'sent', 'delivered']);
    expect(signed.history[2]?.sdi?.fileName).toMatch(/^IT\d{11}_[A-Za-z0-9]{5}\.xml\.p7m$/);
    await notificationOf(signed, signed.history[3] as HubEvent, 'RC', 'RicevutaConsegna');

    const base64 = await settled(await send(Buffer.from(envelope.toString('base64')), 'application/pkcs7-mime', 'b64.xml.p7m'), 4);
    expect(base64.status).toBe('delivered');

    const broken = await settled(await send(Buffer.from([0x30, 0x82, 0x01, 0x02, 0x03]), 'application/pkcs7-mime', 'broken.xml.p7m'), 4);
    expect(broken.status).toBe('rejected');
    expect(broken.history[3]?.errors?.[0]?.code).toBe('00102');
  });

  const magic: { label: string; bytes: Buffer; status: string; errorCode?: string }[] = [
    { label: 'NS00311 (NS + code)', bytes: fpr('NS00311'), status: 'rejected', errorCode: '00311' },
    { label: 'NS00404 (NS + code)', bytes: fpr('NS00404'), status: 'rejected', errorCode: '00404' },
    { label: '0000000 without PEC', bytes: fpr('0000000'), status: 'not_delivered' },
    { label: '0000000 with PEC', bytes: fpr('0000000', 'buyer@pec.example.it'), status: 'delivered' },
    { label: 'SBXMC00', bytes: fpr('SBXMC00'), status: 'not_delivered' },
    { label: 'a 6-char code on FPR12', bytes: fpr('ABC123'), status: 'rejected', errorCode: '00427' },
    { label: 'FPA12 with a 7-char code', bytes: fpa('ABC1234'), status: 'rejected', errorCode: '00427' },
    { label: 'NS0311 on FPA12', bytes: fpa('NS0311'), status: 'rejected', errorCode: '00311' },
  ];
  it.each(magic)('magic value $label -> $status', async ({ bytes, status, errorCode }) => {
    const doc = await settled(await send(bytes, 'application/xml'), 4);
    expect(statuses(doc)).toEqual(['received', 'processing', 'sent', status]);
    const last = doc.history[3] as HubEvent;
    if (status === 'rejected') {
      expect(last.errors?.[0]?.code).toBe(errorCode);
      const ns = await notificationOf(doc, last, 'NS', 'NotificaScarto');
      expect(textAt(ns, 'ListaErrori', 'Errore', 'Codice')).toBe(errorCode);
      expect(textAt(ns, 'ListaErrori', 'Errore', 'Descrizione')).toBe(last.errors?.[0]?.description);
    } else if (status === 'not_delivered') {
      await notificationOf(doc, last, 'MC', 'NotificaMancataConsegna');
    } else {
      const rc = await notificationOf(doc, last, 'RC', 'RicevutaConsegna');
      expect(textAt(rc, 'Destinatario', 'Codice')).toBe('0000000');
    }
  });

  it('magic value SBXPAID: delivered, then paid', async () => {
    const doc = await settled(await send(fpr('SBXPAID'), 'application/xml'), 5);
    expect(statuses(doc)).toEqual(['received', 'processing', 'sent', 'delivered', 'paid']);
  });

  it('magic value SBXFAIL: the hub fails the document without sending it', async () => {
    const doc = await settled(await send(fpr('SBXFAIL'), 'application/xml'), 3);
    expect(statuses(doc)).toEqual(['received', 'processing', 'failed']);
    expect(doc.history[2]?.message).toContain('SBXFAIL');
  });

  it('FPA12 magic values: SBXEC2 refused (NE EC02), SBXDT0 expired (DT), SBXAT0 MC then undeliverable (AT)', async () => {
    const transmitted = fpa('SBXAT0');
    const [refused, expired, undeliverable] = await Promise.all([
      send(fpa('SBXEC2'), 'application/xml').then((id) => settled(id, 5)),
      send(fpa('SBXDT0'), 'application/xml').then((id) => settled(id, 5)),
      send(transmitted, 'application/xml').then((id) => settled(id, 5)),
    ]);
    expect(statuses(refused)).toEqual(['received', 'processing', 'sent', 'delivered', 'refused']);
    const ne = await notificationOf(refused, refused?.history[4] as HubEvent, 'NE', 'NotificaEsito');
    expect(textAt(ne, 'EsitoCommittente', 'Esito')).toBe('EC02');

    expect(statuses(expired)).toEqual(['received', 'processing', 'sent', 'delivered', 'expired']);
    const dt = await notificationOf(expired, expired?.history[4] as HubEvent, 'DT', 'NotificaDecorrenzaTermini');
    expect(textAt(dt, 'RiferimentoFattura', 'AnnoFattura')).toBe('2017');

    expect(statuses(undeliverable)).toEqual(['received', 'processing', 'sent', 'not_delivered', 'undeliverable']);
    await notificationOf(undeliverable, undeliverable?.history[3] as HubEvent, 'MC', 'NotificaMancataConsegna');
    const at = await notificationOf(undeliverable, undeliverable?.history[4] as HubEvent, 'AT', 'AttestazioneTrasmissioneFattura');
    expect(textAt(at, 'HashFileOriginale')).toBe(createHash('sha256').update(transmitted).digest('hex'));
  });

  it('SBXPAY on FPA12: accepted, then paid', async () => {
    const doc = await settled(await send(fpa('SBXPAY'), 'application/xml'), 6);
    expect(statuses(doc)).toEqual(['received', 'processing', 'sent', 'delivered', 'accepted', 'paid']);
  });

  const nonConforming: [string, Buffer, RegExp][] = [
    ['not well-formed', Buffer.from('<p:FatturaElettronica versione="FPR12"><unclosed>'), /XML/],
    ['a DOCTYPE', Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'), /DOCTYPE/],
    ['the wrong root', Buffer.from('<?xml version="1.0"?><Fattura versione="FPR12"/>'), /<Fattura>/],
    ['the wrong namespace', withHeader('IT01234567890_FPR01.xml', (xml) => xml.replace('docs/xsd/fatture/v1.2"', 'docs/xsd/fatture/v9.9"')), /namespace/],
    [
      'no CedentePrestatore',
      withHeader('IT01234567890_FPR01.xml', (xml) => xml.replace(/<CedentePrestatore>[\s\S]*<\/CedentePrestatore>/, '')),
      /CedentePrestatore/,
    ],
    [
      'no body',
      withHeader('IT01234567890_FPR01.xml', (xml) => xml.replace(/<FatturaElettronicaBody>[\s\S]*<\/FatturaElettronicaBody>/, '')),
      /FatturaElettronicaBody/,
    ],
  ];
  it.each(nonConforming)('rejects XML with %s: NS 00200 saying what is wrong', async (_label, bytes, reason) => {
    const doc = await settled(await send(bytes, 'application/xml'), 4);
    expect(statuses(doc)).toEqual(['received', 'processing', 'sent', 'rejected']);
    const error = doc.history[3]?.errors?.[0];
    expect(error?.code).toBe('00200');
    expect(error?.description).toMatch(reason);
    await notificationOf(doc, doc.history[3] as HubEvent, 'NS', 'NotificaScarto');
  });

  it('rejects FormatoTrasmissione unlike versione with NS 00428, as SDI does', async () => {
    const doc = await settled(
      await send(
        withHeader('IT01234567890_FPR01.xml', (xml) => xml.replace('<FormatoTrasmissione>FPR12', '<FormatoTrasmissione>FPA12')),
        'application/xml',
      ),
      4,
    );
    expect(statuses(doc)).toEqual(['received', 'processing', 'sent', 'rejected']);
    expect(doc.history[3]?.errors).toEqual([
      {
        code: '00428',
        description: "1.1.3 <FormatoTrasmissione> non coerente con il valore dell'attributo VERSION: <FormatoTrasmissione> FPA12, attributo versione FPR12",
      },
    ]);
  });

  it('PDF markers: SANDBOX-REJECT is rejected, SANDBOX-NOT-DELIVERED is MC, bytes that are no PDF fail', async () => {
    const rejected = await settled(await send(makePdf('Totale 10 EUR SANDBOX-REJECT'), 'application/pdf'), 4);
    expect(statuses(rejected)).toEqual(['received', 'processing', 'sent', 'rejected']);
    await notificationOf(rejected, rejected.history[3] as HubEvent, 'NS', 'NotificaScarto');

    const notDelivered = await settled(await send(makePdf('SANDBOX-NOT-DELIVERED'), 'application/pdf'), 4);
    expect(notDelivered.status).toBe('not_delivered');

    const unreadable = await settled(await send(Buffer.from('just some text'), 'application/pdf'), 3);
    expect(statuses(unreadable)).toEqual(['received', 'processing', 'failed']);
    expect(unreadable.history[2]?.message).toMatch(/not a readable PDF/);
  });

  it('refuses a document carrying SANDBOX-REFUSE-422 with 422, without storing it or taking a credit', async () => {
    const before = (await client.get(apiKey, '/v1/account')).json<{ credits: { remaining: number } }>().credits.remaining;
    const key = randomUUID();
    const response = await client.upload(apiKey, makePdf('SANDBOX-REFUSE-422'), { contentType: 'application/pdf', idempotencyKey: key });
    expect(response.status).toBe(422);
    expect(response.json()).toMatchObject({ error: { code: 'document_refused' } });
    expect(hub.listDocuments().some((record) => record.idempotencyKey === key)).toBe(false);
    expect((await client.get(apiKey, '/v1/account')).json<{ credits: { remaining: number } }>().credits.remaining).toBe(before);
  });

  it('refuses ZIP archives (415) and unknown content types (415)', async () => {
    const zip = await client.upload(apiKey, Buffer.from('PK\x03\x04rest'), { contentType: 'application/zip', idempotencyKey: randomUUID() });
    expect(zip.status).toBe(415);
    expect(zip.json<{ error: { message: string } }>().error.message).toMatch(/ZIP/);
    const other = await client.upload(apiKey, Buffer.from('a,b'), { contentType: 'text/csv', idempotencyKey: randomUUID() });
    expect(other.status).toBe(415);
    expect(other.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });
});
