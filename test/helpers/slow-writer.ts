// A program that writes a file the way the tests of the folder watcher's writer signal need, in a
// process of its own (the watcher must find it among the machine's processes). Prints one line per
// step on stdout ("opened", "closed", …) so the test can follow it without sleeping.
//   chunks PATH COUNT PAUSE_MS BYTES   one open, COUNT chunks of BYTES with PAUSE_MS between, one close
//   reopen PATH                        "part one", close; on a line from stdin, reopen to append "part two"
//   rename TEMP TARGET COUNT PAUSE_MS  an editor's save: write TEMP slowly, close, rename it over TARGET
//   quick PATH BYTES                   one write and a close at once
//   copy SOURCE PATH COUNT PAUSE_MS    SOURCE's bytes into PATH in COUNT pieces, one open, PAUSE_MS between
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';

/** Chunk i of a file written in pieces: its own letter, so a capture shows which pieces it holds. */
export function chunkOf(index: number, bytes: number): Buffer {
  return Buffer.alloc(bytes, 65 + (index % 26));
}

function say(step: string): void {
  process.stdout.write(`${JSON.stringify({ step, at: Date.now() })}\n`);
}

async function writeChunks(path: string, count: number, pauseMs: number, bytes: number): Promise<void> {
  const fd = openSync(path, 'w');
  say('opened');
  for (let index = 0; index < count; index += 1) {
    if (index > 0) await sleep(pauseMs);
    writeSync(fd, chunkOf(index, bytes));
    say(`chunk ${index}`);
  }
  closeSync(fd);
  say('closed');
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'chunks') {
    const [path, count, pause, bytes] = args;
    await writeChunks(path!, Number(count), Number(pause), Number(bytes));
  } else if (mode === 'reopen') {
    const path = args[0]!;
    let fd = openSync(path, 'w');
    writeSync(fd, 'part one\n');
    closeSync(fd);
    say('closed 1');
    const lines = createInterface({ input: process.stdin });
    await new Promise<void>((resolve) => lines.once('line', () => resolve()));
    lines.close();
    fd = openSync(path, 'a');
    say('reopened');
    writeSync(fd, 'part two\n');
    closeSync(fd);
    say('closed 2');
  } else if (mode === 'rename') {
    const [temp, target, count, pause] = args;
    await writeChunks(temp!, Number(count), Number(pause), 1000);
    renameSync(temp!, target!);
    say('renamed');
  } else if (mode === 'copy') {
    const [source, path, count, pause] = args;
    const bytes = readFileSync(source!);
    const pieces = Number(count);
    const step = Math.ceil(bytes.length / pieces);
    const fd = openSync(path!, 'w');
    say('opened');
    for (let index = 0; index < pieces; index += 1) {
      if (index > 0) await sleep(Number(pause));
      writeSync(fd, bytes.subarray(index * step, (index + 1) * step));
    }
    closeSync(fd);
    say('closed');
  } else if (mode === 'quick') {
    const [path, bytes] = args;
    const fd = openSync(path!, 'w');
    writeSync(fd, chunkOf(0, Number(bytes)));
    closeSync(fd);
    say('closed');
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
