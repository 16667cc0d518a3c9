/**
 * The merchant's webhook: where its events go (set or cleared here), a new signing secret
 * (after a confirmation, shown once and never again), and its latest callbacks with every
 * attempt, each of which can be sent again.
 */
import { useState } from 'preact/hooks';
import { useT, type Message } from '../i18n.js';
import { Dialog, ErrorNotice, UpdatedAt, usePoll, useSession } from '../ui.js';
import { CallbackList } from './callbacks.js';

const LATEST = 20;

export function WebhookPage() {
  const t = useT();
  const { client } = useSession();
  const [changes, setChanges] = useState(0);
  const [done, setDone] = useState<Message | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [asking, setAsking] = useState(false);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const webhook = usePoll(async () => {
    const [settings, callbacks] = await Promise.all([client.getWebhook(), client.latestCallbacks({ perPage: LATEST })]);
    return { settings, callbacks };
  }, `webhook:${changes}`);
  const changed = () => setChanges((count) => count + 1);
  const change = (work: Promise<unknown>, message: Message) => {
    setError(undefined);
    setDone(undefined);
    work.then(() => {
      setDone(message);
      changed();
    }, setError);
  };
  const save = (event: SubmitEvent) => {
    event.preventDefault();
    const url = String(new FormData(event.currentTarget as HTMLFormElement).get('url') ?? '').trim();
    change(client.setWebhook(url), { key: 'webhookSaved' });
  };
  const settings = webhook.data?.settings;

  return (
    <section>
      <h1 tabIndex={-1}>{t('webhookTitle')}</h1>
      <p class="muted">{t('webhookHint')}</p>
      <ErrorNotice error={webhook.error} />
      <UpdatedAt at={webhook.updatedAt} />
      {settings && (
        <>
          <dl class="facts">
            <div>
              <dt>{t('webhookUrl')}</dt>
              <dd class="webhook-url code">{settings.url ?? t('webhookNone')}</dd>
            </div>
            <div>
              <dt>{t('secret')}</dt>
              <dd>{settings.secretSet ? t('secretSet') : t('secretUnset')}</dd>
            </div>
          </dl>
          <form class="inline" onSubmit={save}>
            <label>
              {t('webhookUrl')}
              <input name="url" type="url" required placeholder="https://" defaultValue={settings.url ?? ''} key={settings.url ?? ''} />
            </label>
            <button type="submit" class="primary">
              {t('saveWebhook')}
            </button>
            <button type="button" disabled={settings.url === undefined} onClick={() => change(client.setWebhook(null), { key: 'webhookCleared' })}>
              {t('clearWebhook')}
            </button>
            <button type="button" class="danger" onClick={() => setAsking(true)}>
              {t('rotateSecret')}
            </button>
          </form>
        </>
      )}
      <div role="status">
        {done && <p class="notice ok">{t(done.key, done.values)}</p>}
        {secret && (
          <p class="notice ok new-secret">
            {t('newSecret')} <code>{secret}</code>
          </p>
        )}
      </div>
      <ErrorNotice error={error} />
      {asking && (
        <RotateDialog
          onClose={() => setAsking(false)}
          onRotated={(rotated) => {
            setAsking(false);
            setSecret(rotated);
            changed();
          }}
        />
      )}
      {webhook.data && (
        <section aria-labelledby="latest-title">
          <h2 id="latest-title">{t('latestCallbacks')}</h2>
          <CallbackList callbacks={webhook.data.callbacks} onResent={changed} />
        </section>
      )}
    </section>
  );
}

function RotateDialog({ onClose, onRotated }: { onClose: () => void; onRotated: (secret: string) => void }) {
  const t = useT();
  const { client } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const rotate = () => {
    setBusy(true);
    setError(undefined);
    client.rotateWebhookSecret().then(onRotated, (failure: unknown) => {
      setError(failure);
      setBusy(false);
    });
  };
  return (
    <Dialog title={t('rotateTitle')} onClose={onClose}>
      <p>{t('rotateText')}</p>
      <ErrorNotice error={error} />
      <div class="buttons">
        <button type="button" autoFocus onClick={onClose}>
          {t('close')}
        </button>
        <button type="button" class="danger" disabled={busy} onClick={rotate}>
          {t('rotateConfirm')}
        </button>
      </div>
    </Dialog>
  );
}
