// The writer signal's OS layer around injected file-system calls: the Windows exclusive open (its
// flags, each error code, a swapped file, shares), macOS's absence of a signal, and the rules of the
// Linux /proc scan on a /proc the test describes (write modes, fdinfo flags, other users' processes,
// containers, hidepid, network file systems, known writers, the spacing of full scans). The scan on
// the real /proc, with real writers, is test/integration/writer-done.test.ts.
import { constants } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProcWriterSignal, type ProcDeps } from '../../src/core/intake/writer-done/linux-proc.ts';
import { writerSignalFor } from '../../src/core/intake/writer-done/platform.ts';
import { ExclusiveOpenWriterSignal, type ExclusiveOpenDeps } from '../../src/core/intake/writer-done/windows-exclusive.ts';
import type { WriterQuery } from '../../src/core/intake/writer-done/writer-signal.ts';

const FILE: WriterQuery = { path: 'C:\\inbox\\fattura.xml', identity: '7:1234', uid: 1000 };

describe('Windows: an open with share mode 0', () => {
  function signalWith(open: ExclusiveOpenDeps['open']) {
    return new ExclusiveOpenWriterSignal({ open, exclusiveFlag: 0x1000_0000 });
  }
  const failing = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));

  it('says closed when the file opens exclusively and is the file asked about; asks with O_RDONLY | UV_FS_O_EXLOCK and closes the handle', async () => {
    const calls: { path: string; flags: number }[] = [];
    let closed = 0;
    const signal = signalWith(async (path, flags) => {
      calls.push({ path, flags });
      return { stat: async () => ({ dev: 7n, ino: 1234n }), close: async () => void (closed += 1) };
    });
    expect(await signal.writerStates([FILE])).toEqual(['closed']);
    expect(calls).toEqual([{ path: FILE.path, flags: constants.O_RDONLY | 0x1000_0000 }]);
    expect(closed).toBe(1);
  });

  it('says open-for-writing on a sharing violation or a denied open, unknown on anything else', async () => {
    for (const [code, state] of [
      ['EBUSY', 'open-for-writing'],
      ['EPERM', 'open-for-writing'],
      ['EACCES', 'open-for-writing'],
      ['ENOENT', 'unknown'],
      ['EIO', 'unknown'],
    ] as const) {
      expect(await signalWith(failing(code)).writerStates([FILE]), code).toEqual([state]);
    }
  });

  it('says unknown when another file now has the name (its own look comes next), and still closes the handle', async () => {
    let closed = 0;
    const signal = signalWith(async () => ({ stat: async () => ({ dev: 7n, ino: 9999n }), close: async () => void (closed += 1) }));
    expect(await signal.writerStates([FILE])).toEqual(['unknown']);
    expect(closed).toBe(1);
  });

  it('covers local folders, not UNC shares', async () => {
    const signal = signalWith(failing('EBUSY'));
    expect(await signal.covers('C:\\Fatture\\in')).toBe(true);
    expect(await signal.covers('\\\\nas\\fatture\\in')).toBe(false);
    expect(await signal.covers('//nas/fatture/in')).toBe(false);
  });
});

describe('the signal of each platform', () => {
  it('macOS has none: no folder is covered, every answer is unknown (the stability window decides)', async () => {
    const mac = writerSignalFor('darwin');
    expect(mac.kind).toBe('none');
    expect(await mac.covers('/Users/anna/Fatture')).toBe(false);
    expect(await mac.writerStates([FILE, FILE])).toEqual(['unknown', 'unknown']);
  });

  it('Linux scans /proc, Windows opens exclusively', () => {
    expect(writerSignalFor('linux').kind).toBe('proc-fd');
    expect(writerSignalFor('win32').kind).toBe('exclusive-open');
    expect(writerSignalFor('freebsd').kind).toBe('none');
  });
});

/** One open descriptor in the described /proc. */
interface Fd {
  /** What readlink says. */
  target: string;
  /** The link's mode: procfs sets the write bit (0o200) for descriptors opened for writing. */
  mode: number;
  /** fdinfo's flags, octal as the kernel prints them. */
  flags: string;
  /** fdinfo's ino line; null for a kernel older than 5.14 that has none. */
  ino: string | null;
  /** dev:ino of the open file (stat through the link). */
  identity: string;
}
const WRITE_FD = (identity: string): Fd => ({ target: '/srv/inbox/fattura.xml', mode: 0o120700, flags: '0100001', ino: identity.split(':')[1]!, identity });
const READ_FD = (identity: string): Fd => ({ target: '/srv/inbox/fattura.xml', mode: 0o120500, flags: '0100000', ino: identity.split(':')[1]!, identity });

interface FakeProc {
  pids: Record<string, Record<string, Fd> | 'EACCES'>;
  pidNamespace?: string;
  mountinfo?: string;
  fsType?: number;
  euid?: number;
  /** /proc/<pid>/comm of each process. */
  comm?: Record<string, string>;
  /** Other files read: the kernel servers' state. */
  files?: Record<string, string>;
}

function procSignal(fake: FakeProc, time = { now: 0 }) {
  const readdirs: string[] = [];
  const fdOf = (path: string): Fd | undefined => {
    const [, pid, , fd] = path.slice('/proc/'.length - 1).split('/');
    const fds = fake.pids[pid!];
    return fds === undefined || fds === 'EACCES' ? undefined : fds[fd!];
  };
  const deps: ProcDeps = {
    procRoot: '/proc',
    euid: fake.euid ?? 1000,
    readdir: (path) => {
      readdirs.push(path);
      if (path === '/proc') return [...Object.keys(fake.pids), 'self', 'meminfo'];
      const pid = path.split('/')[2]!;
      const fds = fake.pids[pid];
      if (fds === undefined) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      if (fds === 'EACCES') throw Object.assign(new Error('denied'), { code: 'EACCES' });
      return Object.keys(fds);
    },
    lstatMode: (path) => fdOf(path)?.mode,
    readlink: (path) => (path === '/proc/self/ns/pid' ? (fake.pidNamespace ?? 'pid:[4026531836]') : fdOf(path)?.target),
    readText: (path) => {
      if (path === '/proc/self/mountinfo') return fake.mountinfo ?? '22 27 0:21 / /proc rw,relatime - proc proc rw\n';
      if (path.endsWith('/comm')) return `${fake.comm?.[path.split('/')[2]!] ?? 'bash'}\n`;
      if (!path.includes('/fdinfo/')) return fake.files?.[path];
      const fd = fdOf(path.replace('/fdinfo/', '/fd/'));
      return fd ? `pos:\t0\nflags:\t${fd.flags}\nmnt_id:\t27\n${fd.ino === null ? '' : `ino:\t${fd.ino}\n`}` : undefined;
    },
    statIdentity: async (path) => {
      const fd = fdOf(path);
      if (!fd) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      return fd.identity;
    },
    statfsType: async () => fake.fsType ?? 0xef53, // ext4
    now: () => time.now,
  };
  return { signal: new ProcWriterSignal(deps), readdirs, time };
}

const OURS: WriterQuery = { path: '/srv/inbox/fattura.xml', identity: '2049:5555', uid: 1000 };
const THEIRS: WriterQuery = { ...OURS, uid: 33 };

describe('Linux: the /proc scan', () => {
  it('finds a process holding the file open for writing, by dev:ino, whatever the path it shows', async () => {
    const { signal } = procSignal({
      pids: {
        '100': {
          '0': { target: '/dev/pts/0', mode: 0o120700, flags: '02', ino: '3', identity: '0:3' },
          '3': { ...WRITE_FD(OURS.identity), target: '/mnt/other-namespace/x' },
        },
      },
    });
    expect(await signal.writerStates([OURS])).toEqual(['open-for-writing']);
  });

  it('says closed for readers, for a write bit that fdinfo contradicts, for sockets and pipes, and for another file of the same inode number', async () => {
    const { signal } = procSignal({
      pids: {
        '100': { '3': READ_FD(OURS.identity) },
        '101': { '4': { ...WRITE_FD(OURS.identity), flags: '0100000' } },
        '102': { '5': { target: 'socket:[5555]', mode: 0o120700, flags: '02', ino: '5555', identity: '0:5555' } },
        '103': { '6': { target: 'pipe:[5555]', mode: 0o120300, flags: '01', ino: '5555', identity: '0:5555' } },
        '104': { '7': WRITE_FD('2050:5555') }, // same inode number, another device
      },
    });
    expect(await signal.writerStates([OURS])).toEqual(['closed']);
  });

  it('on a kernel whose fdinfo has no ino line, stats every file open for writing', async () => {
    const { signal } = procSignal({
      pids: { '100': { '3': { ...WRITE_FD('2049:1'), ino: null } }, '101': { '9': { ...WRITE_FD(OURS.identity), ino: null } } },
    });
    expect(await signal.writerStates([OURS])).toEqual(['open-for-writing']);
  });

  it("with processes it may not read: unknown for another user's file, closed for the agent's own", async () => {
    const { signal } = procSignal({ pids: { '1': 'EACCES', '100': { '3': READ_FD(OURS.identity) } } });
    expect(await signal.writerStates([OURS, THEIRS])).toEqual(['closed', 'unknown']);
  });

  it('while a file server it cannot look into runs (Samba, FTP, rsync): unknown even for the agent’s own files', async () => {
    const { signal } = procSignal({ pids: { '1': 'EACCES', '812': 'EACCES', '100': {} }, comm: { '1': 'systemd', '812': 'smbd' } });
    expect(await signal.writerStates([OURS, THEIRS])).toEqual(['unknown', 'unknown']);
    // The same server whose descriptors it can read (the agent runs as root) is just another process.
    const { signal: asRoot } = procSignal({ pids: { '812': { '7': READ_FD(OURS.identity) } }, comm: { '812': 'smbd' }, euid: 0 });
    expect(await asRoot.writerStates([OURS])).toEqual(['closed']);
  });

  it('while the kernel serves files (nfsd threads, ksmbd), which holds no descriptors: unknown for every file', async () => {
    const running: Record<string, string>[] = [{ '/proc/fs/nfsd/threads': '8\n' }, { '/sys/module/ksmbd/initstate': 'live\n' }];
    for (const files of running) {
      const { signal } = procSignal({ pids: { '100': {} }, files, euid: 0 });
      expect(await signal.writerStates([OURS]), Object.keys(files)[0]).toEqual(['unknown']);
    }
    const { signal: stopped } = procSignal({ pids: { '100': {} }, files: { '/proc/fs/nfsd/threads': '0\n' }, euid: 0 });
    expect(await stopped.writerStates([OURS])).toEqual(['closed']);
  });

  it('with /proc mounted hidepid=invisible: unknown for files of other users', async () => {
    const { signal } = procSignal({ pids: { '100': {} }, mountinfo: '22 27 0:21 / /proc rw,nosuid - proc proc rw,hidepid=invisible\n' });
    expect(await signal.writerStates([OURS, THEIRS])).toEqual(['closed', 'unknown']);
    expect(await signal.covers('/srv/inbox')).toBe(true);
  });

  it('in a container (its own pid namespace) covers nothing and answers unknown: writers outside are invisible', async () => {
    const { signal } = procSignal({ pids: { '1': {} }, pidNamespace: 'pid:[4026532571]' });
    expect(await signal.covers('/srv/inbox')).toBe(false);
    expect(await signal.writerStates([OURS])).toEqual(['unknown']);
  });

  it('does not cover network file systems (NFS, SMB, FUSE), covers local ones', async () => {
    for (const [type, covered] of [
      [0xef53, true], // ext4
      [0x9123683e, true], // btrfs
      [0x6969, false], // NFS
      [0xfe534d42, false], // SMB2
      [0xff534d42, false], // CIFS
      [0x65735546, false], // FUSE
    ] as const) {
      expect(await procSignal({ pids: {}, fsType: type }).signal.covers('/srv/inbox'), type.toString(16)).toBe(covered);
    }
  });

  it('re-checks a known writer alone; a full scan only once it has closed the file', async () => {
    const fake: FakeProc = { pids: { '100': { '3': WRITE_FD(OURS.identity) }, '200': {}, '300': {} } };
    const { signal, readdirs } = procSignal(fake);
    expect(await signal.writerStates([OURS])).toEqual(['open-for-writing']);
    expect(signal.scans).toBe(1);
    readdirs.length = 0;
    expect(await signal.writerStates([OURS])).toEqual(['open-for-writing']);
    expect(readdirs).toEqual(['/proc/100/fd']); // the known writer alone
    fake.pids['100'] = {};
    expect(await signal.writerStates([OURS])).toEqual(['closed']);
    expect(signal.scans).toBe(2);
  });

  it('spaces full scans by nine times their cost, answering "later" meanwhile', async () => {
    const time = { now: 0 };
    // Each look into a process's descriptors "takes" 10 ms of the main thread.
    const timed = signalWithScanCost(time, 10);
    expect(await timed.writerStates([OURS])).toEqual(['closed']);
    expect(timed.lastScanMs).toBe(10);
    expect(timed.nextLookInMs()).toBe(90);
    time.now += 89;
    expect(await timed.writerStates([OURS])).toEqual(['later']);
    time.now += 1;
    expect(await timed.writerStates([OURS])).toEqual(['closed']);
    expect(timed.scans).toBe(2);
  });

  it('leaves files to the stability window while an expensive scan (a desktop with many descriptors) is far off', async () => {
    const time = { now: 0 };
    // One scan "takes" 100 ms of the main thread: the next may come only 900 ms later.
    const costly = signalWithScanCost(time, 100);
    expect(await costly.writerStates([OURS])).toEqual(['closed']);
    expect(costly.nextLookInMs()).toBe(900);
    time.now += 100;
    expect(await costly.writerStates([OURS])).toEqual(['unknown']); // 800 ms away: the window is sooner
    time.now += 600;
    expect(await costly.writerStates([OURS])).toEqual(['later']); // 200 ms away: worth the wait
    time.now += 200;
    expect(await costly.writerStates([OURS])).toEqual(['closed']);
    expect(costly.scans).toBe(2); // at most a tenth of the main thread
  });
});

/** One process whose descriptors take `costMs` of the main thread to look into. */
function signalWithScanCost(time: { now: number }, costMs: number): ProcWriterSignal {
  return new ProcWriterSignal({
    ...procDepsOf(time),
    readdir: (path) => {
      if (path === '/proc') return ['100'];
      time.now += costMs;
      return [];
    },
  });
}

function procDepsOf(time: { now: number }): Partial<ProcDeps> {
  return {
    procRoot: '/proc',
    euid: 1000,
    lstatMode: () => undefined,
    readlink: (path) => (path === '/proc/self/ns/pid' ? 'pid:[4026531836]' : undefined),
    readText: () => '',
    statIdentity: () => Promise.reject(new Error('not asked')),
    statfsType: async () => 0xef53,
    now: () => time.now,
  };
}
