/** Sign-in: Appid, AppSecret, merchant id and an optional signing secret, checked with a signed call before they are kept. */
import { useState } from 'preact/hooks';
import { ConsoleRefusal, useT } from '../i18n.js';
import { signIn, type Session } from '../session.js';
import { ErrorNotice } from '../ui.js';

export function SignInPage({ timeZone, onSignedIn }: { timeZone: string; onSignedIn: (session: Session) => void }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const merchantId = Number(text('merchantId'));
    if (!Number.isSafeInteger(merchantId) || merchantId < 1) {
      setError(new ConsoleRefusal({ key: 'merchantIdInvalid' }));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const signingSecret = text('signingSecret');
      onSignedIn(await signIn({ appId: text('appId'), appSecret: text('appSecret'), merchantId, ...(signingSecret ? { signingSecret } : {}) }, timeZone));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="sign-in">
      <h1 tabIndex={-1}>{t('signInTitle')}</h1>
      <p class="muted">{t('signInHint')}</p>
      {/* POST, never GET: should the script not run, the secret must not end up in a URL. */}
      <form method="post" action="#" onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <label>
          {t('appId')}
          <input name="appId" required autoComplete="username" spellcheck={false} autoCapitalize="off" />
        </label>
        <label>
          {t('appSecret')}
          <input name="appSecret" type="password" required autoComplete="current-password" />
        </label>
        <label>
          {t('merchantId')}
          <input name="merchantId" required inputMode="numeric" pattern="[1-9][0-9]*" autoComplete="off" />
        </label>
        <label>
          {t('signingSecret')}
          <input name="signingSecret" type="password" autoComplete="off" />
        </label>
        <div id="sign-in-error">
          <ErrorNotice error={error} title={t('signInFailed')} />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
    </section>
  );
}
