// The machine a run was measured on, so numbers are never read without their context.
import os from 'node:os';
import { statfsSync } from 'node:fs';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
  kernel: string;
  tempDir: string;
  /** statfs type of the temp dir's file system (0xef53 is ext2/3/4, 0x01021994 tmpfs). */
  tempDirFsType: string | null;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  let fsType: string | null = null;
  try {
    fsType = `0x${statfsSync(os.tmpdir()).type.toString(16)}`;
  } catch {
    fsType = null;
  }
  return {
    cpus: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    kernel: os.release(),
    tempDir: os.tmpdir(),
    tempDirFsType: fsType,
  };
}
