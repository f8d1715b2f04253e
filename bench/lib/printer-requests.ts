// The two requests the printer part compares, both through one keep-alive client: a Print-Job to
// the agent's IPP server and a plain POST of a document to its local API. Each throws, with the
// answer's reason, unless the agent accepted the document.
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { dataPaths } from '../../src/core/config/data-dir.ts';
import { postBytes } from './http-post.ts';
import type { BenchFile } from './invoices.ts';
import { encodePrintJob, isIppSuccess, readIppResponseHead } from './ipp-print-job.ts';

export interface AgentAddresses {
  /** The local API, from DIR/api-url, and its token from DIR/api-token. */
  api: { baseUrl: string; token: string };
  /** The virtual printer's loopback port. */
  printerPort: number;
  /** The profile whose queue and documents these are. */
  profileId: string;
}

export async function agentAddresses(dataDir: string, printerPort: number, profileId: string): Promise<AgentAddresses> {
  const paths = dataPaths(dataDir);
  const api = { baseUrl: (await readFile(paths.apiUrl, 'utf8')).trim(), token: (await readFile(paths.apiToken, 'utf8')).trim() };
  return { api, printerPort, profileId };
}

/** POST /api/v1/documents with the PDF as the body; the agent answers 201 once it has recorded it. */
export async function sendPlainPost(agent: AgentAddresses, file: BenchFile, client: http.Agent): Promise<void> {
  const reply = await postBytes(
    `${agent.api.baseUrl}/api/v1/documents`,
    file.bytes,
    {
      Authorization: `Bearer ${agent.api.token}`,
      'Content-Type': 'application/pdf',
      'X-Filename': encodeURIComponent(file.name),
      'X-Profile': agent.profileId,
    },
    client,
  );
  if (reply.status !== 201) throw new Error(`POST /api/v1/documents answered ${reply.status}: ${reply.body.toString('utf8').slice(0, 200)}`);
}

/** Print-Job with job-name = the file's name without ".pdf", so the agent records it as that name. */
export async function sendPrintJob(agent: AgentAddresses, file: BenchFile, requestId: number, client: http.Agent): Promise<void> {
  const path = `/ipp/print/${agent.profileId}`;
  const body = encodePrintJob({
    requestId,
    printerUri: `ipp://127.0.0.1:${agent.printerPort}${path}`,
    user: 'bench',
    jobName: file.name.replace(/\.pdf$/, ''),
    document: file.bytes,
  });
  const reply = await postBytes(`http://127.0.0.1:${agent.printerPort}${path}`, body, { 'Content-Type': 'application/ipp' }, client);
  if (reply.status !== 200) throw new Error(`Print-Job answered HTTP ${reply.status}: ${reply.body.toString('utf8').slice(0, 200)}`);
  const head = readIppResponseHead(reply.body);
  if (!isIppSuccess(head.statusCode)) throw new Error(`Print-Job answered IPP status 0x${head.statusCode.toString(16).padStart(4, '0')}`);
  if (head.requestId !== requestId) throw new Error(`Print-Job answered request-id ${head.requestId} to request ${requestId}`);
}
