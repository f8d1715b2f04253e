// Starts the sandbox hub in its own child process (hub-process.ts) with SDI delays 0 and enough
// credits, and talks to it over IPC. Registered with the run's Cleanup, so it never outlives the run.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Cleanup } from './cleanup.ts';
import { stopWithin } from './child-exit.ts';
import type { HubMessage, HubRecord, HubReply, HubRequest } from './hub-protocol.ts';

const HUB_PROCESS = fileURLToPath(new URL('./hub-process.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const REPLY_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 15_000;

export interface HubChild {
  url: string;
  caFile: string;
  apiKey: string;
  pid: number;
  /** Every document the hub stored. */
  records(): Promise<HubRecord[]>;
  /** Closes the hub and waits for its process to end (killed if it does not). */
  close(): Promise<void>;
}

export async function startHubChild(options: { dataDir: string; credits: number; cleanup: Cleanup }): Promise<HubChild> {
  const child = fork(HUB_PROCESS, [options.dataDir, String(options.credits)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let nextId = 1;
  const waiting = new Map<number, (reply: HubReply) => void>();

  const ready = new Promise<HubMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox hub process did not report ready within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    child.on('message', (raw) => {
      const message = raw as HubMessage;
      if (message.type === 'ready' || message.type === 'failed') {
        clearTimeout(timer);
        resolve(message);
      } else {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox hub process exited before it was ready (code ${code}, signal ${signal})`));
    });
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) {
      // The reply or the exit, whichever comes first: either means the hub has closed.
      await Promise.race([request(child, waiting, { type: 'close', id: nextId++ }).catch(() => undefined), exited]);
    }
    await stopWithin(child, exited, EXIT_TIMEOUT_MS);
  };
  const unregister = options.cleanup.add(`stop the sandbox hub process ${child.pid}`, stop);

  const first = await ready.catch(async (error: unknown) => {
    await unregister();
    throw error;
  });
  if (first.type !== 'ready') {
    await unregister();
    throw new Error(first.type === 'failed' ? first.message : 'the sandbox hub process answered out of turn');
  }
  return {
    url: first.url,
    caFile: first.caFile,
    apiKey: first.apiKey,
    pid: child.pid as number,
    async records() {
      const reply = await request(child, waiting, { type: 'records', id: nextId++ });
      if (reply.type !== 'records') throw new Error('the sandbox hub process answered a records request with something else');
      return reply.records;
    },
    close: unregister,
  };
}

function request(child: ChildProcess, waiting: Map<number, (reply: HubReply) => void>, message: HubRequest): Promise<HubReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(message.id);
      reject(new Error(`the sandbox hub process did not answer "${message.type}" within ${REPLY_TIMEOUT_MS / 1000} s`));
    }, REPLY_TIMEOUT_MS);
    waiting.set(message.id, (reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
    child.send(message, (error) => {
      if (!error) return;
      clearTimeout(timer);
      waiting.delete(message.id);
      reject(error);
    });
  });
}
