// The narrow bridge the desktop shell exposes to the UI as `window.recapito`: its shape and the
// IPC channel behind each method. Types only, so the sandboxed preload (one file, no imports at
// run time) and the main process agree at compile time without sharing code: each declares its
// channel table `satisfies BridgeChannels`.
import type { AgentStatus } from './local-api.ts';

export type OpenDropFolderResult = { ok: true; path: string } | { ok: false; reason: string };

export interface RecapitoBridge {
  /** The agent status, as `GET /api/v1/status` answers it. */
  status(): Promise<AgentStatus>;
  /** Puts sending on hold; answers the status after the change. */
  pause(): Promise<AgentStatus>;
  /** Resumes sending; answers the status after the change. */
  resume(): Promise<AgentStatus>;
  /** Opens a profile's first watched folder (the first profile's when none is named) in the file manager. */
  openDropFolder(profileId?: string): Promise<OpenDropFolderResult>;
}

/** One channel per bridge method; both sides declare their table `satisfies BridgeChannels`. */
export interface BridgeChannels {
  status: 'recapito:status';
  pause: 'recapito:pause';
  resume: 'recapito:resume';
  openDropFolder: 'recapito:open-drop-folder';
}

export type BridgeChannel = BridgeChannels[keyof BridgeChannels];

/** The name of the global the preload defines in the page. */
export type BridgeGlobalName = 'recapito';
