// The about and help line at the foot of the page: the product's name and version, and the support
// contact the branding gives (e-mail, phone, web page); nothing but the name when it gives none.
import { useBranding } from '../branding/branding.tsx';
import { useI18n } from '../i18n/i18n.tsx';

/** `onlyWithContact`: nothing at all when the branding gives no support contact (the token page). */
export function SupportFooter({ version, onlyWithContact = false }: { version: string | null; onlyWithContact?: boolean }) {
  const branding = useBranding();
  const { t } = useI18n();
  const { email, phone, url } = branding.support;
  if (onlyWithContact && !email && !phone && !url) return null;
  return (
    <footer className="support-footer" data-testid="support-footer">
      <span className="support-product">
        {branding.productName}
        {version ? ` ${version}` : ''}
      </span>
      {email || phone || url ? (
        <span className="support-contact">
          <span className="support-label">{t.support.title}</span>
          {email ? (
            <a href={`mailto:${email}`} data-testid="support-email">
              {email}
            </a>
          ) : null}
          {phone ? (
            <a href={`tel:${phone.replace(/[^+0-9]/g, '')}`} data-testid="support-phone">
              {phone}
            </a>
          ) : null}
          {url ? (
            <a href={url} target="_blank" rel="noopener noreferrer" data-testid="support-url">
              {t.support.web}
            </a>
          ) : null}
        </span>
      ) : null}
    </footer>
  );
}
