// Token first: without a valid token the page explains where to find one; with it, the dashboard.
import { useCallback, useEffect, useState } from 'react';
import { forgetToken, storeToken, takeToken, tokenFromHash } from '../api/token.ts';
import { TokenScreen } from './TokenScreen.tsx';
import { Dashboard } from './Dashboard.tsx';

export function Root() {
  const [token, setToken] = useState<string | null>(() => takeToken());
  const [rejected, setRejected] = useState(false);

  const onUnauthorized = useCallback(() => {
    forgetToken();
    setToken(null);
    setRejected(true);
  }, []);

  // Opening the printed address again in this tab only changes the fragment: take the new token.
  useEffect(() => {
    const onHash = () => {
      if (!tokenFromHash(window.location.hash)) return;
      setRejected(false);
      setToken(takeToken());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  if (!token) {
    return (
      <TokenScreen
        rejected={rejected}
        onToken={(pasted) => {
          storeToken(pasted);
          setRejected(false);
          setToken(pasted);
        }}
      />
    );
  }
  return <Dashboard key={token} token={token} onUnauthorized={onUnauthorized} />;
}
