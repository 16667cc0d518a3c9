/** Pieces every page uses: the session, polling, errors, times, statuses, the confirmation dialog. */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { NetworkError, OpenApiError } from '../../src/client/index.js';
import { formatWallTime } from '../../src/protocol/time.js';
import { ConsoleRefusal, knownKey, useT, type Translate } from './i18n.js';
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
}

/**
 * Loads now and every POLL_SECONDS while the tab is visible; a new `key` (other filters, a
 * change made on the page) starts over at once. Answers for an older key are dropped, and
 * polling stops when the page goes.
 */
export function usePoll<T>(load: () => Promise<T>, key: string): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: undefined, updatedAt: undefined });
  const current = useRef({ load, key: undefined as string | undefined, timer: undefined as ReturnType<typeof setTimeout> | undefined });
  current.current.load = load;

  useEffect(() => {
    const live = () => current.current.key === key;
    const poll = async () => {
      if (!document.hidden) {
        try {
          const data = await current.current.load();
          if (live()) setState({ data, error: undefined, updatedAt: new Date() });
        } catch (error) {
          if (live()) setState((previous) => ({ ...previous, error }));
        }
      }
      if (live()) current.current.timer = setTimeout(poll, POLL_SECONDS * 1000);
    };
    current.current.key = key;
    void poll();
    return () => {
      current.current.key = undefined;
      clearTimeout(current.current.timer);
    };
  }, [key]);

  return state;
}

/** The API's code and message, as it answered; or why there was no answer. */
export function describeError(error: unknown, t: Translate): string {
  // The platform's own words first (merchants know them), then what they mean and what to do.
  if (error instanceof OpenApiError) return `${t('errorPrefix', { code: error.code, message: error.message })} — ${error.explanation.meaning} ${error.explanation.fix}`;
  if (error instanceof ConsoleRefusal) return t(error.refusal.key, error.refusal.values);
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

/** A wall time in the platform zone, as the API writes it (or only its day). */
export function WallTime({ at, fallback = '—', dayOnly = false }: { at: Date | undefined; fallback?: string; dayOnly?: boolean }) {
  const { timeZone } = useSession();
  if (!at) return <span>{fallback}</span>;
  const wall = formatWallTime(Math.floor(at.getTime() / 1000), timeZone);
  const text = dayOnly ? wall.slice(0, 10) : wall;
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
