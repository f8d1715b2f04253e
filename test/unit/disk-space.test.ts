// DiskSpace: one reason for a full disk, refused captures while it lasts, and the periodic re-check
// that lifts it by itself (the free space is injected; the tmpfs test is disk-full.test.ts).
import { describe, expect, it } from 'vitest';
import { DiskFullError, DiskSpace, isDiskFullError } from '../../src/core/intake/disk-space.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const MB = 1024 * 1024;
const silent = { info: () => undefined, warn: () => undefined };

function diskWith(free: { bytes: number }, clock: ManualClock) {
  const changes: (string | null)[] = [];
  const disk = new DiskSpace({ dir: '/data', reserveBytes: 4 * MB, recheckMs: 10_000, log: silent, clock, freeBytes: () => Promise.resolve(free.bytes) });
  disk.onChange(() => changes.push(disk.current()?.reason ?? null));
  return { disk, changes };
}

describe('DiskSpace', () => {
  it('refuses a capture that would eat into the reserve, says how much is needed, and lifts itself at the re-check', async () => {
    const clock = new ManualClock();
    const free = { bytes: 10 * MB };
    const { disk, changes } = diskWith(free, clock);
    await disk.ensureRoom(5 * MB); // 5 + 4 reserve ≤ 10
    const refused = await disk.ensureRoom(8 * MB).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DiskFullError);
    // Short by the reused reading (less what the first capture took), so the disk is asked again:
    // 10 MB free, 8 + 4 needed.
    expect(disk.current()?.reason).toBe('disk full: 2 MB needed (10 MB free) on the disk of /data; capture resumes by itself when there is room');
    expect(changes).toHaveLength(1);
    // While full, every capture is refused at once, whatever its size.
    await expect(disk.ensureRoom(1)).rejects.toBeInstanceOf(DiskFullError);

    free.bytes = 11 * MB; // not yet enough for the refused capture and the reserve
    await clock.advance(10_000);
    expect(disk.current()?.reason).toMatch(/^disk full: 1 MB needed \(11 MB free\)/);
    free.bytes = 12 * MB;
    await clock.advance(9_999);
    expect(disk.current()).not.toBeNull();
    await clock.advance(1);
    expect(disk.current()).toBeNull();
    expect(changes.at(-1)).toBeNull();
    await disk.ensureRoom(1 * MB);
    disk.stop();
    expect(clock.pending()).toEqual([]);
  });

  it('a full disk met on the way (ENOSPC, EDQUOT, SQLITE_FULL) stops capture; any other failure does not', async () => {
    const clock = new ManualClock();
    const { disk } = diskWith({ bytes: 100 * MB }, clock);
    expect(await disk.failed(Object.assign(new Error('EACCES'), { code: 'EACCES' }), 1)).toBeNull();
    expect(disk.current()).toBeNull();
    const worker = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(await disk.failed(new Error('capture failed', { cause: worker }), 1)).toBeInstanceOf(DiskFullError);
    expect(disk.current()?.code).toBe('disk_full');
    for (const code of ['ENOSPC', 'EDQUOT', 'SQLITE_FULL']) expect(isDiskFullError(Object.assign(new Error(code), { code }))).toBe(true);
    expect(isDiskFullError(new Error('database or disk is full'))).toBe(true);
    expect(isDiskFullError(new Error('database is locked'))).toBe(false);
    disk.stop();
  });
});
