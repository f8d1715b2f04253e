// Prints one plain closing line, "N passed, N failed, N skipped", that CI reads in any language.
// Above it, one line per skipped test with the reason and how to run it, as test/helpers/system-tools.ts
// recorded it ("SKIPPED (needs Ghostscript): sudo apt-get install ghostscript — file > test"),
// then one command that installs every package the skipped tests named, then one line per vitest
// project ("unit: N tests passed, N failed, N skipped": worded so that it never reads as the closing line).
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { installCommand } from '../helpers/system-tools-data.ts';

export default class SummaryLineReporter implements Reporter {
  /** The projects in the order vitest.config.ts lists them (unit, integration, e2e). */
  #projects: string[] = [];

  onInit(vitest: Vitest): void {
    this.#projects = vitest.projects.map((project) => project.name);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const total = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
    const byProject = new Map<string, { passed: number; failed: number; skipped: number }>();
    const skipLines: string[] = [];
    const packages = new Set<string>();
    for (const module of testModules) {
      const projectName = module.project.name;
      const project = byProject.get(projectName) ?? { passed: 0, failed: 0, skipped: 0 };
      byProject.set(projectName, project);
      const count = (outcome: 'passed' | 'failed' | 'skipped'): void => {
        total[outcome] += 1;
        project[outcome] += 1;
      };
      const tests = [...module.children.allTests()];
      // A module that failed to load, or whose own hooks failed.
      if (module.errors().length > 0 || (module.state() === 'failed' && tests.length === 0)) count('failed');
      // A suite whose beforeAll failed: its tests are reported skipped, the suite carries the error.
      for (const suite of module.children.allSuites()) if (suite.errors().length > 0) count('failed');
      for (const test of tests) {
        const result = test.result();
        if (result.state === 'passed') count('passed');
        else if (result.state === 'failed') count('failed');
        else {
          count('skipped');
          const meta = test.meta();
          const reason = meta.skipReason ?? (result.state === 'skipped' && result.note ? `SKIPPED (${result.note})` : null);
          if (reason) skipLines.push(`${reason} — ${module.relativeModuleId} > ${test.fullName}`);
          for (const name of meta.skipPackages ?? []) packages.add(name);
        }
      }
    }
    if (skipLines.length > 0) process.stdout.write(`\n${skipLines.join('\n')}\n`);
    if (packages.size > 0) {
      process.stdout.write(`To run the tests skipped for missing packages: ${installCommand([...packages], undefined, { unattended: true })}\n`);
    }
    const rank = (name: string): number => (this.#projects.includes(name) ? this.#projects.indexOf(name) : this.#projects.length);
    const projects = [...byProject].filter(([name]) => name !== '').sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
    if (projects.length > 0) {
      const width = Math.max(...projects.map(([name]) => name.length));
      const lines = projects.map(([name, n]) => `${`${name}:`.padEnd(width + 1)} ${n.passed} tests passed, ${n.failed} failed, ${n.skipped} skipped`);
      process.stdout.write(`\n${lines.join('\n')}\n`);
    }
    process.stdout.write(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  }
}
