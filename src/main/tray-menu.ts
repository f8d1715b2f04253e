// The tray's context menu as plain data, so its labels and enabled states are tested without
// Electron; tray.ts turns it into a Menu and wires each id to an action.
import type { AgentStatus } from '../contract/local-api.ts';
import { stringsFor, type Locale } from './i18n.ts';
import { keyWarningFor, type TrayState } from './tray-state.ts';

export type TrayAction = 'open' | 'pause' | 'resume' | 'open-drop-folder' | 'toggle-start-at-login' | 'support-bundle' | 'quit';

export type TrayMenuEntry =
  | { kind: 'status'; label: string }
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { kind: 'checkbox'; action: TrayAction; label: string; checked: boolean }
  | { kind: 'separator' };

export interface TrayMenuContext {
  status: AgentStatus;
  state: TrayState;
  locale: Locale;
  startAtLogin: boolean;
  hasDropFolder: boolean;
  /** A reseller's brand (docs/white-label.md): "Apri <name>". */
  productName?: string;
  /** The time the key's expiry is judged at (tests); now by default. */
  now?: number;
}

export function trayMenuFor(context: TrayMenuContext): TrayMenuEntry[] {
  const text = stringsFor(context.locale, context.productName).menu;
  // Resume is offered only for a person's pause; a hub hold (credits, key) clears by itself.
  const paused = context.status.paused;
  const toApprove = context.status.counts.awaiting_approval ?? 0;
  // The API key (docs/enrollment.md): its expiry said on its own line when the tooltip says something
  // else first, and the window's activation card one click away (not when the environment sets the key).
  const { hub } = context.status;
  const keyWarning = keyWarningFor(context.status, context.locale, context.now);
  const enroll = hub.transport === 'https' && hub.url !== '' && hub.keySource !== 'environment' && (hub.keySource === null || keyWarning !== null);
  return [
    { kind: 'status', label: context.state.tooltip },
    ...(keyWarning !== null && !context.state.tooltip.includes(keyWarning) ? [{ kind: 'status', label: keyWarning } as const] : []),
    { kind: 'separator' },
    { kind: 'action', action: 'open', label: text.open, enabled: true },
    ...(enroll ? [{ kind: 'action', action: 'open', label: text.enroll, enabled: true } as const] : []),
    // Approving needs the window (the reason, the approver's PIN): the entry opens it.
    ...(toApprove > 0 ? [{ kind: 'action', action: 'open', label: text.approve(toApprove), enabled: true } as const] : []),
    paused ? { kind: 'action', action: 'resume', label: text.resume, enabled: true } : { kind: 'action', action: 'pause', label: text.pause, enabled: true },
    { kind: 'action', action: 'open-drop-folder', label: text.openDropFolder, enabled: context.hasDropFolder },
    { kind: 'separator' },
    { kind: 'checkbox', action: 'toggle-start-at-login', label: text.startAtLogin, checked: context.startAtLogin },
    { kind: 'action', action: 'support-bundle', label: text.supportBundle, enabled: true },
    { kind: 'separator' },
    { kind: 'action', action: 'quit', label: text.quit, enabled: true },
  ];
}
