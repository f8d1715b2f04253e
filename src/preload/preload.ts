// Sandboxed preload: runs before the UI in an isolated world, with no Node. It exposes four
// functions as `window.recapito` and nothing else: never ipcRenderer itself, never a generic send.
// Sandboxed preloads cannot load modules, so this file imports nothing at run time but electron
// (types are erased); build/compile-preload.ts turns it into dist/preload/preload.cjs.
import { contextBridge, ipcRenderer } from 'electron';
import type { AgentStatus } from '../contract/local-api.ts';
import type { BridgeChannels, BridgeGlobalName, OpenDropFolderResult, RecapitoBridge } from '../contract/bridge.ts';

const CHANNELS = {
  status: 'recapito:status',
  pause: 'recapito:pause',
  resume: 'recapito:resume',
  openDropFolder: 'recapito:open-drop-folder',
} as const satisfies BridgeChannels;

const GLOBAL_NAME: BridgeGlobalName = 'recapito';

const bridge: RecapitoBridge = {
  status: () => ipcRenderer.invoke(CHANNELS.status) as Promise<AgentStatus>,
  pause: () => ipcRenderer.invoke(CHANNELS.pause) as Promise<AgentStatus>,
  resume: () => ipcRenderer.invoke(CHANNELS.resume) as Promise<AgentStatus>,
  // Only the one argument travels; whatever else the page passes stays in the page.
  openDropFolder: (profileId?: string) =>
    (profileId === undefined
      ? ipcRenderer.invoke(CHANNELS.openDropFolder)
      : ipcRenderer.invoke(CHANNELS.openDropFolder, profileId)) as Promise<OpenDropFolderResult>,
};

contextBridge.exposeInMainWorld(GLOBAL_NAME, Object.freeze(bridge));
