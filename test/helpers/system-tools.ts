// How a test asks for a system tool (or a right, such as root) it cannot run without:
//
//   const gs = needs('gs');
//   gs.it('renders …', async () => { await run(gs.path('gs'), […]) });
//   gs.describe('…', () => { … });
//
// When everything is there the tests run as usual. When something is missing they are skipped, and
// the summary reporter (test/reporters/summary-line.ts) prints one line per skipped test, such as
// "SKIPPED (needs Ghostscript): sudo apt-get install ghostscript". Under CI=true they fail instead
// (a test fails with the reason; a describe block gets one failing test beside it, and is skipped):
// CI installs every tool, so a missing one is a broken CI machine, not a reason to test less.
// The tools themselves are listed in system-tools-data.ts, the one place that names them.
import { describe as vitestDescribe, it as vitestIt, type TestFunction } from 'vitest';
import { findTool, installCommand, packagesFor, SYSTEM_TOOLS, type ToolName } from './system-tools-data.ts';

export { SYSTEM_TOOLS, type ToolName } from './system-tools-data.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** Why the test was skipped and how to run it: "SKIPPED (needs Ghostscript): sudo apt-get install ghostscript". */
    skipReason?: string;
    /** The packages that would let it run. */
    skipPackages?: string[];
  }
}

/** Something a test cannot do without, and what to do about it. */
interface Lack {
  what: string;
  how: string;
  packages: string[];
  /** Fail instead of skipping under CI=true (false: CI may lack it too, e.g. a second filesystem). */
  failInCi: boolean;
}

export class Requirement {
  readonly #lacks: readonly Lack[];
  readonly #paths: ReadonlyMap<ToolName, string>;

  constructor(lacks: readonly Lack[], paths: ReadonlyMap<ToolName, string> = new Map()) {
    this.#lacks = lacks;
    this.#paths = paths;
  }

  /** Everything is there. */
  get ok(): boolean {
    return this.#lacks.length === 0;
  }

  /** The skip line: "SKIPPED (needs Ghostscript): sudo apt-get install ghostscript"; '' when ok. */
  get reason(): string {
    if (this.ok) return '';
    return `SKIPPED (${this.#lacks.map((lack) => lack.what).join('; ')}): ${this.#lacks.map((lack) => lack.how).join('; ')}`;
  }

  get packages(): string[] {
    return [...new Set(this.#lacks.flatMap((lack) => lack.packages))];
  }

  /** Whether a test needing this fails (CI) rather than skips. */
  get #fails(): boolean {
    return process.env['CI'] === 'true' && this.#lacks.some((lack) => lack.failInCi);
  }

  get #ciError(): Error {
    return new Error(`${this.reason.replace(/^SKIPPED/, 'MISSING')} — required under CI=true`);
  }

  /** The tool's absolute path (only for a tool this requirement was made with, and found). */
  path(tool: ToolName): string {
    const path = this.#paths.get(tool);
    if (!path) throw new Error(`${tool} was not asked for with needs('${tool}'), or is missing: ${this.reason}`);
    return path;
  }

  /** Both requirements. */
  and(other: Requirement): Requirement {
    return new Requirement([...this.#lacks, ...other.#lacks], new Map([...this.#paths, ...other.#paths]));
  }

  /** A describe block that runs only when everything is there (skipped with the reason, or failing under CI). */
  describe(name: string, body: () => void): void {
    if (this.ok) return void vitestDescribe(name, body);
    if (this.#fails) {
      // One failing test says why; the block itself is skipped, so its hooks never run half set up.
      const error = this.#ciError;
      vitestIt(`${name}: ${error.message}`, () => {
        throw error;
      });
    }
    vitestDescribe(name, { skip: true, meta: { skipReason: this.reason, skipPackages: this.packages } }, body);
  }

  /** A test that runs only when everything is there (skipped with the reason, or failing under CI). */
  it(name: string, body: TestFunction, timeout?: number): void {
    if (this.ok) return void vitestIt(name, body, timeout);
    if (this.#fails) {
      const error = this.#ciError;
      return void vitestIt(name, () => {
        throw error;
      });
    }
    vitestIt(name, { skip: true, meta: { skipReason: this.reason, skipPackages: this.packages } }, body);
  }
}

/** The tools, found (or missing) now. */
export function needs(...tools: ToolName[]): Requirement {
  const paths = new Map<ToolName, string>();
  const missing: ToolName[] = [];
  for (const tool of tools) {
    const path = findTool(tool);
    if (path) paths.set(tool, path);
    else missing.push(tool);
  }
  if (missing.length === 0) return new Requirement([], paths);
  const packages = packagesFor(missing);
  const labels = [...new Set(missing.map((tool) => SYSTEM_TOOLS[tool].label))];
  return new Requirement([{ what: `needs ${labels.join(', ')}`, how: installCommand(packages), packages, failInCi: true }], paths);
}

/**
 * Something other than a package: `requires(isRoot, 'needs root for network namespaces', 'run the
 * tests as root')`. Under CI=true it fails when not met, unless `failInCi` is false.
 */
export function requires(met: boolean, what: string, how: string, options: { failInCi?: boolean } = {}): Requirement {
  return new Requirement(met ? [] : [{ what, how, packages: [], failInCi: options.failInCi ?? true }]);
}

export const isRoot = (): boolean => process.getuid?.() === 0;
