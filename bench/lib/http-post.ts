// One HTTP POST over a shared keep-alive agent, the body read in full: the client both of the
// printer part's throughput runs use, so Print-Job and the plain POST differ only at the server.
import http from 'node:http';

const REQUEST_TIMEOUT_MS = 60_000;

export interface PostReply {
  status: number;
  body: Buffer;
}

/** Keep-alive, at most `sockets` connections: one per request in flight. */
export function keepAliveAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

export function postBytes(url: string, body: Buffer, headers: Record<string, string>, agent: http.Agent): Promise<PostReply> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'Content-Length': String(body.length) }, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.once('error', reject);
      },
    );
    request.once('timeout', () => request.destroy(new Error(`POST ${url}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.once('error', reject);
    request.end(body);
  });
}
