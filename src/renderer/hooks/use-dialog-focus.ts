// A modal dialog's keyboard contract (docs/ui.md, "Accessibility"): focus moves into it when it opens
// (`initial`, or its first control), Tab and Shift+Tab cycle inside it, Escape closes it (and only
// it: the detail panel behind also closes on Escape), and on closing the focus goes back to the
// element that had it when the dialog opened, the button that opened it.
import { useEffect, useRef, type RefObject } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The controls of `root` that Tab reaches, in document order (hidden ones left out). */
export function tabbables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((element) => element.tabIndex >= 0 && element.getClientRects().length > 0);
}

interface DialogFocusOptions {
  /** Closes the dialog; null while it must stay open (a request under way). */
  onEscape: (() => void) | null;
  /** The control that gets the focus when the dialog opens; its first control otherwise. */
  initial?: RefObject<HTMLElement | null>;
  /** Where the focus goes on closing when the opener is gone (the bar of a selection just decided). */
  fallback?: () => void;
}

export function useDialogFocus(dialog: RefObject<HTMLElement | null>, { onEscape, initial, fallback }: DialogFocusOptions): void {
  const escape = useRef(onEscape);
  escape.current = onEscape;
  const orElse = useRef(fallback);
  orElse.current = fallback;

  // Once per opening: remember the opener, move the focus in, give it back on closing.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = dialog.current;
    const first = initial?.current ?? (root ? tabbables(root)[0] : undefined);
    (first ?? root)?.focus();
    return () => {
      // The opener may be gone (the selection it acted on was decided): then the fallback, if any.
      if (opener?.isConnected) opener.focus();
      else orElse.current?.();
    };
  }, []); // once per opening, whatever the refs hold later

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const root = dialog.current;
      if (!root) return;
      if (event.key === 'Escape') {
        // Caught on the way down (capture), so the panel's own Escape listener never sees it.
        event.stopPropagation();
        event.preventDefault();
        escape.current?.();
        return;
      }
      if (event.key !== 'Tab') return;
      const controls = tabbables(root);
      const first = controls[0];
      const last = controls[controls.length - 1];
      if (!first || !last) {
        event.preventDefault();
        root.focus();
        return;
      }
      const active = document.activeElement;
      const inside = active instanceof Node && root.contains(active);
      if (event.shiftKey && (!inside || active === first || active === root)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (!inside || active === last)) {
        event.preventDefault();
        first.focus();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [dialog]);
}
