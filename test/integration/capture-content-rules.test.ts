// SDI's content rules, end to end, with the invoices of issue 12 (each valid against the XSD, each
// breaking one content rule SDI refuses with an NS receipt; test/helpers/content-rule-invoices.ts):
// - through the agent (a watched folder, the local API): each ends `invalid` with its SDI code and
//   nothing reaches the hub;
// - around preflight (the agent with intake.preflight "warn", over HTTPS and over SFTP through a real
//   sshd; and any SFTP client writing straight into the hub's in/ folder): the sandbox hub's
//   simulated SDI rejects each with the same codes in the NS receipt, with SDI's descriptions, and
//   the agent explains the rejection in SDI's words;
// - the valid invoice they are made from is delivered in every run (no false rejection, here or in
//   the simulator). Through the real agent, worker pool, store, sandbox hub and sshd.
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID, createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { TRANSPORTS, startHarness, type Harness } from '../helpers/harness.ts';
import { apiRequest, startApiHarness } from '../helpers/local-api-request.ts';
import { needsSshd, startSshd } from '../helpers/sshd.ts';
import { needs } from '../helpers/system-tools.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { contentCases, contentInvoice, type ContentCase } from '../helpers/content-rule-invoices.ts';
import type { PreflightIssue } from '../../src/contract/invoice.ts';
import type { HubEvent } from '../../src/contract/hub-protocol.ts';
import { explainNotification, readNotification } from '../../src/core/inspect/notifications/read-notification.ts';
import { childElements, elementAt, parseXml, textAt } from '../../src/core/xml/safe-xml.ts';
import { createSandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { sdiErrorDescription } from '../../src/sandbox-hub/sdi/sdi-error-codes.ts';
import { encodeSafeName } from '../../src/sandbox-hub/sftp/file-names.ts';

const toClose: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const close of toClose.splice(0).reverse()) await close();
});

async function harnessWith(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  toClose.push(() => h.close());
  return h;
}

const GOOD = 'buona.xml';
const errorsOf = (issues: PreflightIssue[]) => issues.filter((issue) => issue.severity === 'error');

/** What SDI puts in ListaErrori for these codes. */
const sdiErrors = (codes: string[]) => codes.map((code) => ({ code, description: sdiErrorDescription(code) }));

/** The NS receipt's ListaErrori as [code, description] pairs. */
function listaErrori(xml: Buffer): { code: string; description: string }[] {
  const root = parseXml(xml);
  expect(root.local).toBe('NotificaScarto');
  return childElements(elementAt(root, 'ListaErrori'), 'Errore').map((errore) => ({
    code: textAt(errore, 'Codice') ?? '',
    description: textAt(errore, 'Descrizione') ?? '',
  }));
}

describe('through the agent: refused before sending, nothing reaches the hub', () => {
  it('watched folder: each invoice of the issue ends invalid with its SDI code; the valid one is delivered', async () => {
    const h = await harnessWith();
    const cases = contentCases();
    await writeFile(join(h.dropDir, GOOD), contentInvoice(200));
    for (const { name, xml } of cases) await writeFile(join(h.dropDir, name), xml);

    for (const { name, sdi, codes } of cases) {
      const document = await waitFor(`${name} captured`, () => h.agent.documents({}).documents.find((d) => d.name === name && d.state !== 'received'));
      expect(document.state, name).toBe('invalid');
      const preflight = h.agent.document(document.id)!.metadata['preflight'] as PreflightIssue[];
      expect(
        errorsOf(preflight).map((issue) => issue.sdiCode),
        name,
      ).toEqual(codes);
      expect(document.reason, name).toContain(`(error ${sdi})`);
    }
    await waitFor('prezzo.xml moved to errors/ with the reason', async () =>
      (await readdir(join(h.dropDir, 'errors')).catch(() => [] as string[])).includes('prezzo.xml.error.txt'),
    );
    expect(await readFile(join(h.dropDir, 'errors', 'prezzo.xml.error.txt'), 'utf8')).toContain('expected 5.00, found 3.10');

    const good = await waitFor(`${GOOD} captured`, () => h.agent.documents({}).documents.find((d) => d.name === GOOD));
    await h.waitForState(good.id, 'delivered');
    expect(h.hub.listDocuments().map((d) => d.fileName)).toEqual([GOOD]);
  });

  it('local API (POST /api/v1/documents): the same, answered at once with the refusal', async () => {
    const { harness: h, api, close } = await startApiHarness();
    toClose.push(close);
    const post = (name: string, xml: string) =>
      apiRequest(api.port, '/api/v1/documents', {
        method: 'POST',
        body: xml,
        headers: { 'Content-Type': 'application/xml', 'X-Filename': encodeURIComponent(name) },
      });

    for (const { name, sdi, codes, xml } of contentCases()) {
      const answer = await post(name, xml);
      expect(answer.status, name).toBe(201);
      const body = answer.json() as { id: string; state: string; reason: string };
      expect(body.state, name).toBe('invalid');
      expect(body.reason, name).toContain(`(error ${sdi})`);
      const detail = (await apiRequest(api.port, `/api/v1/documents/${body.id}`)).json() as { metadata: { preflight: PreflightIssue[] } };
      expect(
        errorsOf(detail.metadata.preflight).map((issue) => issue.sdiCode),
        name,
      ).toEqual(codes);
    }
    const good = (await post(GOOD, contentInvoice(200))).json() as { id: string; state: string };
    expect(good.state).toBe('queued');
    await h.waitForState(good.id, 'delivered');
    expect(h.hub.listDocuments().map((d) => d.fileName)).toEqual([GOOD]);
  });
});

/** Every case ends rejected with its codes in the event and the NS file; the agent explains it in SDI's words. */
async function expectRejectedBySdi(h: Harness, cases: ContentCase[]): Promise<void> {
  for (const { name, codes } of cases) {
    const captured = await waitFor(`${name} captured`, () => h.agent.documents({}).documents.find((d) => d.name === name && d.state !== 'received'));
    await h.waitForState(captured.id, 'rejected');
    const detail = h.agent.document(captured.id)!;

    // What preflight found is still shown with the document: the errors, kept as warnings.
    const preflight = detail.metadata['preflight'] as PreflightIssue[];
    expect(errorsOf(preflight), name).toEqual([]);
    expect(
      preflight.filter((issue) => issue.downgraded).map((issue) => [issue.severity, issue.sdiCode]),
      name,
    ).toEqual(codes.map((code) => ['warning', code]));

    // The hub's NS: the same codes, SDI's descriptions, in the event and in the notification file.
    const ns = detail.files.find((file) => /_NS_\d{3}\.xml$/.test(file.name));
    expect(ns, `${name}: NS file`).toBeDefined();
    const nsXml = (await h.agent.file(detail.id, ns!.name))!;
    expect(listaErrori(nsXml), name).toEqual(sdiErrors(codes));
    // The document's reason is SDI's list of errors, code and description.
    expect(detail.reason, name).toBe(codes.map((code) => `${code}: ${sdiErrorDescription(code)}`).join('; '));
    // And the NS explained as the agent explains every rejection (return folder, UI): SDI's words first.
    const explanation = explainNotification(readNotification(nsXml), 'FPR12');
    expect(explanation.state).toBe('rejected');
    for (const code of codes) {
      expect(explanation.text.it, name).toContain(`${code} ${sdiErrorDescription(code)}`);
      expect(explanation.text.en, name).toContain(`${code} ${sdiErrorDescription(code)}`);
    }
    expect(explanation.text.it).toContain('NON è stata emessa');
  }
}

for (const transport of TRANSPORTS) {
  (transport === 'sftp' ? needsSshd() : needs()).describe(`around preflight: intake.preflight "warn", over ${transport}`, () => {
    it('sends each invoice of the issue; the simulated SDI rejects it with the same codes; the valid one is delivered', async () => {
      const h = await harnessWith({ transport, settings: (s) => ({ ...s, intake: { ...s.intake, preflight: 'warn' } }) });
      const cases = contentCases();
      await writeFile(join(h.dropDir, GOOD), contentInvoice(200));
      for (const { name, xml } of cases) await writeFile(join(h.dropDir, name), xml);

      await expectRejectedBySdi(h, cases);
      const good = await waitFor(`${GOOD} captured`, () => h.agent.documents({}).documents.find((d) => d.name === GOOD));
      await h.waitForState(good.id, 'delivered');
      // Only the file name warning (buona.xml is not an SDI name): nothing was let through.
      expect((h.agent.document(good.id)!.metadata['preflight'] as PreflightIssue[]).map((issue) => issue.code)).toEqual(['file_name_not_sdi']);
      // All of them reached the hub, each once, over this transport.
      const atHub = h.hub.listDocuments();
      expect(atHub.map((d) => d.fileName).sort()).toEqual([GOOD, ...cases.map((c) => c.name)].sort());
      expect(new Set(atHub.map((d) => d.channel))).toEqual(new Set([transport]));
      // The log says which errors were let through, for each.
      const lines = await waitFor('a let-through line in the log for each', async () => {
        const text = await readFile(join(h.dataDir, 'logs', 'recapito.log'), 'utf8');
        const found = text.split('\n').filter((line) => line.includes('[warn]') && line.includes('preflight errors let through'));
        return cases.every((c) => found.some((line) => line.includes(`"name":"${c.name}"`))) ? found : null;
      });
      expect(lines.find((line) => line.includes('"name":"prezzo.xml"'))).toContain('line_total_mismatch (00423)');
      expect(lines.some((line) => line.includes(GOOD))).toBe(false);
    });
  });
}

needsSshd().describe("around the agent: any SFTP client writing straight into the hub's in/ folder", () => {
  it('gets an NS with the same codes in out/ for each invoice of the issue, and an RC for the valid one', async () => {
    const temp = await makeTempDir('content-rules-sftp-');
    toClose.push(temp.cleanup);
    const sshd = await startSshd(join(temp.dir, 'sshd'));
    toClose.push(() => sshd.stop());
    const root = join(temp.dir, 'hub-sftp');
    const hub = await createSandboxHub({ dataDir: join(temp.dir, 'hub'), sftp: { rootDir: root, pollIntervalMs: 100 } });
    toClose.push(() => hub.close());

    const sftp = new SftpClient();
    await sftp.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.clientPrivateKey,
      // Pinned, as any careful client does.
      hostVerifier: (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` === sshd.hostKeyFingerprint,
    });
    toClose.push(() => sftp.end());

    const uploads = [{ name: GOOD, sdi: '', codes: [] as string[], xml: contentInvoice(200) }, ...contentCases()].map((upload) => ({
      ...upload,
      key: randomUUID(),
    }));
    for (const { key, name, xml } of uploads) {
      // As the protocol asks: a dot-file first, renamed once complete.
      await sftp.put(Buffer.from(xml), `${root}/in/.${key}.part`);
      await sftp.rename(`${root}/in/.${key}.part`, `${root}/in/${key}__${encodeSafeName(name)}`);
    }

    const statusOf = async (key: string): Promise<HubEvent | null> => {
      const names = (await sftp.list(`${root}/out`)).map((entry) => entry.name);
      const final = names.find((file) => file.includes(`__${key}__`) && /__(rejected|delivered)\.json$/.test(file));
      if (!final) return null;
      const bytes = await sftp.get(`${root}/out/${final}`);
      if (!Buffer.isBuffer(bytes)) throw new Error(`${final}: expected the file's bytes`);
      return JSON.parse(bytes.toString('utf8')) as HubEvent;
    };
    for (const { key, name, codes } of uploads) {
      const event = await waitFor(`${name}: final status file in out/`, () => statusOf(key), 20_000);
      const ns = event.notification;
      if (codes.length === 0) {
        expect(event.status, name).toBe('delivered');
        expect(ns?.type).toBe('RC');
        continue;
      }
      expect(event.status, name).toBe('rejected');
      expect(event.errors, name).toEqual(sdiErrors(codes));
      expect(ns?.type, name).toBe('NS');
      const nsXml = (await sftp.get(`${root}/out/${key}__${ns!.fileName}`)) as Buffer;
      expect(listaErrori(nsXml), name).toEqual(sdiErrors(codes));
    }
    expect(hub.listDocuments()).toHaveLength(uploads.length);
    expect(new Set(hub.listDocuments().map((d) => d.channel))).toEqual(new Set(['sftp']));
  });
});
