// A summary of the agent's output for a benchmark report: how many WARN and ERROR lines, and a few
// distinct ones (their structured tail cut off) as examples.
import { readFile } from 'node:fs/promises';

export interface AgentLogSummary {
  warnings: number;
  errors: number;
  examples: string[];
}

export async function summarizeAgentLog(file: string, maxExamples = 5): Promise<AgentLogSummary> {
  const text = await readFile(file, 'utf8').catch(() => '');
  let warnings = 0;
  let errors = 0;
  const examples = new Set<string>();
  for (const line of text.split('\n')) {
    const level = line.startsWith('WARN ') ? 'warn' : line.startsWith('ERROR') ? 'error' : null;
    if (!level) continue;
    if (level === 'warn') warnings += 1;
    else errors += 1;
    if (examples.size < maxExamples) examples.add(line.replace(/\{.*$/, '').trim());
  }
  return { warnings, errors, examples: [...examples] };
}
