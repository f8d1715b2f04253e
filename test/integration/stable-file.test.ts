// The readability check behind "stable": on Windows it opens the file (a writer's lock shows up
// there), elsewhere it asks for read permission; both tell readable, gone and refused apart.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkReadable, type ReadCheck } from '../../src/core/intake/stable-file.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { NOBODY } from '../helpers/become-user.ts';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

const STABLE_FILE_MODULE = new URL('../../src/core/intake/stable-file.ts', import.meta.url).href;
const BECOME_USER_MODULE = new URL('../helpers/become-user.ts', import.meta.url).href;

/**
 * Root reads everything: as root the check runs in a child process that becomes user nobody once
 * its modules are loaded (nobody may not reach the checkout, e.g. in a 0700 home folder).
 */
async function checkReadableAsUser(path: string, platform: NodeJS.Platform): Promise<ReadCheck> {
  if (process.getuid?.() !== 0) return checkReadable(path, platform);
  const script = [
    `const { checkReadable } = await import(${JSON.stringify(STABLE_FILE_MODULE)});`,
    `const { becomeUser } = await import(${JSON.stringify(BECOME_USER_MODULE)});`,
    `becomeUser(${NOBODY});`,
    `console.log(JSON.stringify({ uid: process.getuid(), check: await checkReadable(${JSON.stringify(path)}, ${JSON.stringify(platform)}) }));`,
  ].join(' ');
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  const { uid, check } = JSON.parse(stdout) as { uid: number; check: ReadCheck };
  expect(uid).toBe(NOBODY);
  return check;
}

describe('checkReadable', () => {
  for (const platform of ['linux', 'win32'] as const) {
    it(`(${platform} way) tells a readable file from one that is gone`, async () => {
      const temp = await makeTempDir();
      cleanup = temp.cleanup;
      const file = join(temp.dir, 'invoice.xml');
      await writeFile(file, '<x/>');
      expect(await checkReadable(file, platform)).toEqual({ status: 'readable' });
      expect(await checkReadable(join(temp.dir, 'missing.xml'), platform)).toEqual({ status: 'gone' });
    });

    it(`(${platform} way) reports a file this user may not read as locked, with its code`, async () => {
      const temp = await makeTempDir();
      cleanup = temp.cleanup;
      await chmod(temp.dir, 0o755);
      const file = join(temp.dir, 'secret.xml');
      await writeFile(file, '<x/>');
      await chmod(file, 0o000);
      expect(await checkReadableAsUser(file, platform)).toEqual({ status: 'locked', code: 'EACCES' });
      await chmod(file, 0o644);
      expect(await checkReadableAsUser(file, platform)).toEqual({ status: 'readable' });
    });
  }
});
