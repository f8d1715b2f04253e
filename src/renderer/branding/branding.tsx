// The reseller's branding (docs/white-label.md), read once from the agent's public
// GET /api/v1/branding and applied to the page: the document title, the favicon, the accent colours
// (CSS variables on <html>, set through the CSSOM, which the CSP allows), and to every component
// through useBranding(): the header's name and logo, the support contact in the footer.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { defaultBrandingView, rebrand, type BrandingView } from '../../contract/branding.ts';
import { ROUTES, pathOf } from '../../contract/routes.ts';

const BrandingContext = createContext<BrandingView>(defaultBrandingView());

/** The CSS variables a palette sets (styles.css declares the defaults). */
export const PALETTE_VARIABLES = {
  accent: '--accent',
  accentText: '--accent-text',
  accentHover: '--accent-hover',
  accentInk: '--accent-ink',
  accentSoft: '--accent-soft',
} as const;

/** How long the page waits for the branding before it shows itself as Recapito's (the agent is local: it answers in milliseconds). */
const BRANDING_WAIT_MS = 1500;

/**
 * Fetches the branding and renders the page once it has it, so a reseller's page never flashes the
 * Recapito name first; when the agent cannot say (an older agent, none, too slow) the page is
 * Recapito's.
 */
export function BrandingProvider({ children }: { children: ReactNode }) {
  const [branding, setBranding] = useState<BrandingView>(() => defaultBrandingView());
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(() => setSettled(true), BRANDING_WAIT_MS);
    fetch(pathOf(ROUTES.branding), { signal: controller.signal, cache: 'no-store', credentials: 'omit' })
      .then(async (response) => (response.ok ? ((await response.json()) as BrandingView) : null))
      .then((view) => {
        if (view && typeof view.productName === 'string') setBranding(view);
      })
      .catch(() => undefined) // the default branding stays
      .finally(() => {
        if (!controller.signal.aborted) setSettled(true);
      });
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, []);
  useEffect(() => applyToDocument(branding), [branding]);
  return <BrandingContext.Provider value={branding}>{settled ? children : null}</BrandingContext.Provider>;
}

export function useBranding(): BrandingView {
  return useContext(BrandingContext);
}

/**
 * A table of texts kept outside the main messages (useI18n's `t` is already branded), saying the
 * brand's name wherever it says Recapito: `const text = useBrandedTexts(ENROLL_MESSAGES[language])`.
 */
export function useBrandedTexts<T>(texts: T): T {
  const { productName } = useBranding();
  return useMemo(() => rebrand(texts, productName), [texts, productName]);
}

function applyToDocument(branding: BrandingView): void {
  document.title = branding.productName;
  const root = document.documentElement.style;
  for (const [key, variable] of Object.entries(PALETTE_VARIABLES)) {
    const value = branding.palette?.[key as keyof typeof PALETTE_VARIABLES];
    if (value) root.setProperty(variable, value);
    else root.removeProperty(variable);
  }
  // --accent-dark: the darker accent the stylesheet uses for text on light tints.
  if (branding.palette) root.setProperty('--accent-dark', branding.palette.accentInk);
  else root.removeProperty('--accent-dark');
  const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (icon) {
    icon.href = branding.logo?.url ?? './favicon.svg';
    icon.type = branding.logo?.type ?? 'image/svg+xml';
  }
}
