import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { AGENT_NODE_FLAGS } from './src/cli/agent-node-flags.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and child processes; two cores are all we have. The
    // projects share these two workers: their files run side by side, not one project after another.
    pool: 'forks',
    maxWorkers: 2,
    // Tests run agents in their own process: it gets the flags the agent is launched with
    // (src/cli/agent-node-flags.ts), among them the one that keeps V8's WebAssembly wrapper race away.
    execArgv: [...AGENT_NODE_FLAGS],
    reporters: ['default', './test/reporters/summary-line.ts'],
    // Agents started by tests register here, not among the user's running agents (src/core/config/running-agents.ts).
    env: { RECAPITO_RUNNING_DIR: mkdtempSync(join(tmpdir(), 'recapito-running-')) },
    // One project per kind of test (docs/testing.md), so each is reported and can run alone
    // (`vitest run --project unit`). `extends: true`: every option above applies to each.
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
