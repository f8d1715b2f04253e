// Where the agent keeps its files, following each OS's convention for per-user application data.
import os from 'node:os';
import path from 'node:path';

export interface DataPaths {
  config: string;
  secrets: string;
  db: string;
  spool: string;
  logs: string;
  apiToken: string;
  apiUrl: string;
}

/**
 * RECAPITO_DATA_DIR wins (services, tests, several agents on one machine); otherwise
 * Windows `%APPDATA%\Recapito`, macOS `~/Library/Application Support/Recapito`,
 * Linux and others `$XDG_DATA_HOME/recapito` or `~/.local/share/recapito`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  // Use the target platform's path rules, so a Windows answer is right even when computed elsewhere.
  const p = platform === 'win32' ? path.win32 : path.posix;
  const explicit = nonEmpty(env.RECAPITO_DATA_DIR);
  if (explicit !== null) return p.resolve(explicit);

  switch (platform) {
    case 'win32': {
      const appData = nonEmpty(env.APPDATA) ?? p.join(nonEmpty(env.USERPROFILE) ?? os.homedir(), 'AppData', 'Roaming');
      return p.join(appData, 'Recapito');
    }
    case 'darwin':
      return p.join(home(env), 'Library', 'Application Support', 'Recapito');
    default: {
      // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
      const xdg = nonEmpty(env.XDG_DATA_HOME);
      return xdg !== null && p.isAbsolute(xdg) ? p.join(xdg, 'recapito') : p.join(home(env), '.local', 'share', 'recapito');
    }
  }
}

export function dataPaths(dataDir: string): DataPaths {
  return {
    config: path.join(dataDir, 'config.json'),
    secrets: path.join(dataDir, 'secrets.json'),
    db: path.join(dataDir, 'recapito.sqlite'),
    spool: path.join(dataDir, 'spool'),
    logs: path.join(dataDir, 'logs'),
    apiToken: path.join(dataDir, 'api-token'),
    apiUrl: path.join(dataDir, 'api-url'),
  };
}

function home(env: NodeJS.ProcessEnv): string {
  return nonEmpty(env.HOME) ?? os.homedir();
}

function nonEmpty(value: string | undefined): string | null {
  return value !== undefined && value.trim() !== '' ? value : null;
}
