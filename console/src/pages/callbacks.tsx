/**
 * Callbacks with every attempt (time, outcome, HTTP status, latency, error) and a button to
 * send one again now: an order's callbacks on its page, the merchant's latest on the webhook page.
 */
import { useState } from 'preact/hooks';
import type { OrderCallback } from '../../../src/client/index.js';
import { knownKey, useT, type Message } from '../i18n.js';
import { ErrorNotice, useSession, WallTime } from '../ui.js';

export function CallbackList({ callbacks, onResent }: { callbacks: OrderCallback[]; onResent: () => void }) {
  const t = useT();
  const { client } = useSession();
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<Message | undefined>(undefined);
  const resend = (id: number) => {
    setError(undefined);
    setDone(undefined);
    client.resendCallback(id).then(() => {
      setDone({ key: 'resent', values: { id } });
      onResent();
    }, setError);
  };
  /** A wire value in words (`callbackState.pending`), or as sent when the dictionary has none. */
  const words = (prefix: string, value: string) => {
    const key = `${prefix}.${value}`;
    return knownKey(key) ? t(key) : value;
  };

  return (
    <div class="callbacks">
      <div role="status">{done && <p class="notice ok">{t(done.key, done.values)}</p>}</div>
      <ErrorNotice error={error} />
      {callbacks.length === 0 && <p>{t('noCallbacks')}</p>}
      {callbacks.map((callback) => (
        <article key={callback.id} class="callback" data-callback-id={callback.id} data-state={callback.state} aria-labelledby={`callback-${callback.id}`}>
          <h3 id={`callback-${callback.id}`}>
            #{callback.id} · {callback.type} · <span class={`badge callback-${callback.state}`}>{words('callbackState', callback.state)}</span>
          </h3>
          <p class="muted">
            <span class="code">{callback.url}</span>
            {callback.orderId !== undefined && ` · ${t('order')} ${callback.orderId}`}
            {callback.nextAttemptAt && (
              <>
                {' · '}
                {t('nextAttempt')}
                <WallTime at={callback.nextAttemptAt} />
              </>
            )}
          </p>
          {callback.attempts.length === 0 ? (
            <p>{t('noAttempts')}</p>
          ) : (
            <table class="attempts">
              <caption>{t('attempts')}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('attemptAt')}</th>
                  <th scope="col">{t('outcome')}</th>
                  <th scope="col" class="number">
                    {t('httpStatus')}
                  </th>
                  <th scope="col" class="number">
                    {t('latency')}
                  </th>
                  <th scope="col">{t('attemptError')}</th>
                </tr>
              </thead>
              <tbody>
                {callback.attempts.map((attempt) => (
                  <tr key={attempt.attempt} data-outcome={attempt.outcome}>
                    <td>{attempt.attempt}</td>
                    <td>
                      <WallTime at={attempt.at} />
                    </td>
                    <td>{words('outcome', attempt.outcome)}</td>
                    <td class="number">{attempt.httpStatus ?? '—'}</td>
                    <td class="number">{attempt.latencyMs}</td>
                    <td>{attempt.error ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            <button type="button" aria-label={t('resendCallback', { id: callback.id })} onClick={() => resend(callback.id)}>
              {t('resend')}
            </button>
          </p>
        </article>
      ))}
    </div>
  );
}
