// Prints one plain closing line, "N passed, N failed, N skipped", that CI reads in any language.
// Above it, one line per skipped test with the reason and how to run it, as test/helpers/system-tools.ts
// recorded it ("SKIPPED (needs Ghostscript): sudo apt-get install ghostscript — file > test"),
// then one command that installs every package the skipped tests named.
import type { Reporter, TestModule } from 'vitest/node';
import { installCommand } from '../helpers/system-tools-data.ts';

export default class SummaryLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    const skipLines: string[] = [];
    const packages = new Set<string>();
    for (const module of testModules) {
      const tests = [...module.children.allTests()];
      // A module that failed to load, or whose own hooks failed.
      if (module.errors().length > 0 || (module.state() === 'failed' && tests.length === 0)) failed += 1;
      // A suite whose beforeAll failed: its tests are reported skipped, the suite carries the error.
      for (const suite of module.children.allSuites()) if (suite.errors().length > 0) failed += 1;
      for (const test of tests) {
        const result = test.result();
        if (result.state === 'passed') passed += 1;
        else if (result.state === 'failed') failed += 1;
        else {
          skipped += 1;
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
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
