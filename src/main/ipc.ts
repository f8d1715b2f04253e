// The main-process side of the `window.recapito` bridge. Every call is checked before it reaches
// the agent: it must come from the top frame of a page of the local UI's origin, on a known channel,
// with arguments of the right shape (zod). The check is a pure function, tested on its own.
import { z } from 'zod';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { AgentStatus } from '../contract/local-api.ts';
import type { Logger } from '../core/log/logger.ts';
import type { BridgeChannel, BridgeChannels, OpenDropFolderResult } from '../contract/bridge.ts';
import { originOf } from './ui-origin.ts';

export const IPC_CHANNELS = {
  status: 'recapito:status',
  pause: 'recapito:pause',
  resume: 'recapito:resume',
  openDropFolder: 'recapito:open-drop-folder',
} as const satisfies BridgeChannels;

const profileId = z.string().regex(/^[a-z0-9-]{1,40}$/, 'a profile id is 1 to 40 lowercase letters, digits or dashes');
const noArguments = z.tuple([]);

const ARGUMENTS = {
  'recapito:status': noArguments,
  'recapito:pause': noArguments,
  'recapito:resume': noArguments,
  'recapito:open-drop-folder': z.union([noArguments, z.tuple([profileId])]),
} as const satisfies Record<BridgeChannel, z.ZodType>;

export type IpcCall =
  { channel: 'recapito:status' | 'recapito:pause' | 'recapito:resume' } | { channel: 'recapito:open-drop-folder'; profileId: string | null };

export type IpcValidation = { ok: true; call: IpcCall } | { ok: false; reason: string };

/** Who sent a message: the sending frame's URL (null when the frame is gone) and whether it is the top frame. */
export interface IpcSender {
  url: string | null;
  isMainFrame: boolean;
}

function isBridgeChannel(channel: string): channel is BridgeChannel {
  return Object.hasOwn(ARGUMENTS, channel);
}

export function validateIpcCall(channel: string, sender: IpcSender, args: readonly unknown[], uiOrigin: string): IpcValidation {
  if (!isBridgeChannel(channel)) return { ok: false, reason: `Unknown IPC channel "${channel.slice(0, 80)}".` };
  const origin = originOf(sender.url);
  if (origin === null) return { ok: false, reason: `Refused ${channel}: the sending frame is gone or has no origin.` };
  if (origin !== uiOrigin) return { ok: false, reason: `Refused ${channel}: it came from ${origin}; only the local UI (${uiOrigin}) may use the bridge.` };
  if (!sender.isMainFrame) return { ok: false, reason: `Refused ${channel}: it came from a sub-frame; only the UI's top frame may use the bridge.` };

  const parsed = ARGUMENTS[channel].safeParse(args);
  if (!parsed.success) {
    const detail = parsed.error.issues[0]?.message ?? 'unexpected arguments';
    return { ok: false, reason: `Refused ${channel}: bad arguments (${detail}).` };
  }
  if (channel === 'recapito:open-drop-folder') {
    const [id] = parsed.data;
    return { ok: true, call: { channel, profileId: id ?? null } };
  }
  return { ok: true, call: { channel } };
}

export interface IpcHandlers {
  status(): AgentStatus;
  pause(): AgentStatus;
  resume(): AgentStatus;
  openDropFolder(profileId: string | null): Promise<OpenDropFolderResult>;
}

export interface IpcRegistration {
  uiOrigin: string;
  handlers: IpcHandlers;
  log: Pick<Logger, 'warn'>;
}

/** Registers one `handle` per channel; returns a function that removes them. */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, registration: IpcRegistration): () => void {
  const { uiOrigin, handlers, log } = registration;
  for (const channel of Object.values(IPC_CHANNELS)) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      const check = validateIpcCall(channel, senderOf(event), args, uiOrigin);
      if (!check.ok) {
        log.warn('IPC call refused', { channel, reason: check.reason });
        throw new Error(check.reason);
      }
      return dispatch(check.call, handlers);
    });
  }
  return () => {
    for (const channel of Object.values(IPC_CHANNELS)) ipcMain.removeHandler(channel);
  };
}

function dispatch(call: IpcCall, handlers: IpcHandlers): AgentStatus | Promise<OpenDropFolderResult> {
  switch (call.channel) {
    case 'recapito:status':
      return handlers.status();
    case 'recapito:pause':
      return handlers.pause();
    case 'recapito:resume':
      return handlers.resume();
    case 'recapito:open-drop-folder':
      return handlers.openDropFolder(call.profileId);
  }
}

function senderOf(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): IpcSender {
  try {
    const frame = event.senderFrame;
    if (!frame) return { url: null, isMainFrame: false };
    return { url: frame.url, isMainFrame: frame.parent === null };
  } catch {
    // A frame destroyed mid-call throws on access; treat it as gone.
    return { url: null, isMainFrame: false };
  }
}
