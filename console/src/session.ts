/**
 * The signed-in merchant. The credentials live in this tab's sessionStorage only (gone when
 * the tab closes, never shared with other tabs, never in localStorage, a cookie or the URL)
 * and every call goes through the project's own SDK, signed in the browser; with the optional
 * signing secret, also with the strong request signature.
 */
import { VendcloudClient } from '../../src/client/index.js';
import { DEFAULT_TIME_ZONE } from '../../src/protocol/time.js';

export interface Credentials {
  appId: string;
  appSecret: string;
  merchantId: number;
  /** The merchant's signing secret, when it gave one: every call then carries Vendcloud-Request-Signature (docs/security.md). */
  signingSecret?: string;
}

export interface Session extends Credentials {
  client: VendcloudClient;
  /** The server's platform time zone: every time on the wire is a wall time there. */
  timeZone: string;
}

const SESSION_KEY = 'vendcloud.console.session';

function makeSession(credentials: Credentials, timeZone: string): Session {
  const client = new VendcloudClient({ baseUrl: location.origin, ...credentials, timeZone, retries: 1, timeoutMs: 8000 });
  return { ...credentials, client, timeZone };
}

/** The session this tab signed in with earlier (a reload keeps it), if any. */
export function restoreSession(timeZone: string): Session | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Credentials | null;
    const signingSecretValid = saved?.signingSecret === undefined || typeof saved.signingSecret === 'string';
    if (saved && typeof saved.appId === 'string' && typeof saved.appSecret === 'string' && Number.isSafeInteger(saved.merchantId) && signingSecretValid) {
      return makeSession(saved, timeZone);
    }
  } catch {
    // A damaged entry is no session.
  }
  sessionStorage.removeItem(SESSION_KEY);
  return undefined;
}

/** Checks the credentials with a signed call (a wrong merchant id fails the signature) and keeps them. */
export async function signIn(credentials: Credentials, timeZone: string): Promise<Session> {
  const session = makeSession(credentials, timeZone);
  await session.client.machinesOverview();
  const { appId, appSecret, merchantId, signingSecret } = credentials;
  // Kept as the AppSecret is: in this tab's sessionStorage only.
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ appId, appSecret, merchantId, ...(signingSecret ? { signingSecret } : {}) }));
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** What the server tells the console about itself (console.ts serves it). */
export async function loadServerConfig(): Promise<{ timeZone: string }> {
  try {
    const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
    const config = (await response.json()) as { time_zone?: unknown };
    if (typeof config.time_zone === 'string') return { timeZone: config.time_zone };
  } catch {
    // An older server: the platform's default zone.
  }
  return { timeZone: DEFAULT_TIME_ZONE };
}
