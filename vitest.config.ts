import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and child processes; two cores are all we have.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/reporters/summary-line.ts'],
    // Agents started by tests register here, not among the user's running agents (src/cli/running-agents.ts).
    env: { RECAPITO_RUNNING_DIR: mkdtempSync(join(tmpdir(), 'recapito-running-')) },
  },
});
