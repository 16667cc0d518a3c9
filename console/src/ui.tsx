/** Pieces every page uses: the session, polling, errors, times, statuses, the confirmation dialog. */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { NetworkError, OpenApiError } from '../../src/client/index.js';
import { formatWallTime } from '../../src/protocol/time.js';
import { knownKey, useT, type Translate } from './i18n.js';
import type { Session } from './session.js';

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('no session');
  return session;
}

/** How often a page asks again, so changes made elsewhere (a code redeemed at a machine) show up. */
export const POLL_SECONDS = 3;

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  updatedAt: Date | undefined;
  /** Loads now (after a change made here), then keeps polling. */
  refresh: () => Promise<void>;
}

/**
 * Loads now and every POLL_SECONDS while the tab is visible; a new `key` (other filters, another
 * page) starts over. An answer that arrives after a newer request was sent is dropped.
 */
export function usePoll<T>(load: () => Promise<T>, key: string): Polled<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; updatedAt: Date | undefined }>({ data: undefined, error: undefined, updatedAt: undefined });
  const latest = useRef({ load, sequence: 0, timer: undefined as ReturnType<typeof setTimeout> | undefined, key });
  latest.current.load = load;

  const fetchOnce = async (forKey: string) => {
    const sequence = ++latest.current.sequence;
    try {
      const data = await latest.current.load();
      if (sequence === latest.current.sequence && forKey === latest.current.key) setState({ data, error: undefined, updatedAt: new Date() });
    } catch (error) {
      if (sequence === latest.current.sequence && forKey === latest.current.key) setState((previous) => ({ ...previous, error }));
    }
  };

  const schedule = (forKey: string) => {
    clearTimeout(latest.current.timer);
    latest.current.timer = setTimeout(async () => {
      if (!document.hidden) await fetchOnce(forKey);
      if (forKey === latest.current.key) schedule(forKey);
    }, POLL_SECONDS * 1000);
  };

  useEffect(() => {
    latest.current.key = key;
    void fetchOnce(key).then(() => schedule(key));
    return () => clearTimeout(latest.current.timer);
  }, [key]);

  return {
    ...state,
    refresh: async () => {
      await fetchOnce(key);
      schedule(key);
    },
  };
}

/** The API's code and message, as it answered; or why there was no answer. */
export function describeError(error: unknown, t: Translate): string {
  if (error instanceof OpenApiError) return t('errorPrefix', { code: error.code, message: error.message });
  if (error instanceof NetworkError) return t('networkError', { message: error.message });
  return error instanceof Error ? error.message : String(error);
}

export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  const t = useT();
  if (error === undefined) return null;
  return (
    <p class="notice error" role="alert">
      {title && <strong>{title}: </strong>}
      {describeError(error, t)}
    </p>
  );
}

/** A wall time in the platform zone, as the API writes it. */
export function WallTime({ at, fallback = '—' }: { at: Date | undefined; fallback?: string }) {
  const { timeZone } = useSession();
  if (!at) return <span>{fallback}</span>;
  const text = formatWallTime(Math.floor(at.getTime() / 1000), timeZone);
  return <time dateTime={at.toISOString()}>{text}</time>;
}

export function StatusBadge({ status }: { status: string }) {
  const t = useT();
  const key = `status.${status}`;
  return <span class={`badge status-${status.toLowerCase()}`}>{knownKey(key) ? t(key) : status}</span>;
}

export function Flag({ on, yes, no }: { on: boolean; yes: string; no: string }) {
  return <span class={`badge ${on ? 'flag-on' : 'flag-off'}`}>{on ? yes : no}</span>;
}

export function UpdatedAt({ at }: { at: Date | undefined }) {
  const t = useT();
  const { timeZone } = useSession();
  if (!at) return <p class="muted">{t('loading')}</p>;
  return (
    <p class="muted" aria-live="off">
      {t('updatedAt', { time: formatWallTime(Math.floor(at.getTime() / 1000), timeZone).slice(11), seconds: POLL_SECONDS })}
    </p>
  );
}

/**
 * A modal dialog (the browser's own <dialog>: focus moves in, Escape closes, the page behind
 * is inert) that gives focus back to what opened it.
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    ref.current?.showModal();
    return () => opener?.focus();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="dialog-title" onClose={onClose}>
      <h2 id="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}
