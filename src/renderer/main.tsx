// Entry point of the local UI (built by Vite into dist/ui, served by the local API at `/`).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from './i18n/i18n.tsx';
import { Root } from './components/Root.tsx';
import { BrandingProvider } from './branding/branding.tsx';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('the page has no #root element');

createRoot(container).render(
  <StrictMode>
    <BrandingProvider>
      <I18nProvider>
        <Root />
      </I18nProvider>
    </BrandingProvider>
  </StrictMode>,
);
