/**
 * The merchant console: sign in, then machines → a machine → a code, or its orders → an
 * order with its deliveries and callbacks; and the merchant's webhook. Pages are addressed
 * by the URL's fragment (#/machines/10000001), so the server serves one file and nothing
 * secret ever sits in a URL.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { I18n, saveLanguage, savedLanguage, translator, type Language } from './i18n.js';
import { CodePage } from './pages/code.js';
import { MachinePage } from './pages/machine.js';
import { MachinesPage } from './pages/machines.js';
import { OrderPage } from './pages/order.js';
import { OrdersPage } from './pages/orders.js';
import { WebhookPage } from './pages/webhook.js';
import { SignInPage } from './pages/sign-in.js';
import { loadServerConfig, restoreSession, signOut, type Session } from './session.js';
import { SessionContext } from './ui.js';
import './styles.css';
import './forms.css';
import { API_PREFIX } from '../../src/protocol/endpoints.js';

type Route =
  | { page: 'machines' }
  | { page: 'webhook' }
  | { page: 'machine'; machineNo: string }
  | { page: 'orders'; machineNo: string }
  | { page: 'code' | 'order'; machineNo: string; id: number };

const ID = /^[1-9][0-9]{0,15}$/;

function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'webhook') return { page: 'webhook' };
  if (parts[0] === 'machines' && parts[1]) {
    const machineNo = parts[1];
    if (parts[2] === 'codes' && ID.test(parts[3] ?? '')) return { page: 'code', machineNo, id: Number(parts[3]) };
    if (parts[2] === 'orders' && ID.test(parts[3] ?? '')) return { page: 'order', machineNo, id: Number(parts[3]) };
    if (parts[2] === 'orders') return { page: 'orders', machineNo };
    return { page: 'machine', machineNo };
  }
  return { page: 'machines' };
}

function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const follow = () => setHash(location.hash);
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return parseRoute(hash);
}

function App({ timeZone }: { timeZone: string }) {
  const [language, setLanguage] = useState<Language>(savedLanguage);
  const [session, setSession] = useState<Session | undefined>(() => restoreSession(timeZone));
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const t = translator(language);

  useEffect(() => {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
    document.title = t('appName');
  }, [language]);
  // A new page moves focus to its content, so a screen reader starts reading there.
  useEffect(() => {
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route.page, session === undefined]);

  const switchLanguage = () => {
    const next = language === 'zh' ? 'en' : 'zh';
    saveLanguage(next);
    setLanguage(next);
  };
  const leave = () => {
    signOut();
    setSession(undefined);
    location.hash = '';
  };

  return (
    <I18n.Provider value={{ t, language }}>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), main.current?.focus())}>
        {t('skipToContent')}
      </a>
      <header class="top">
        <a class="brand" href="#/machines">
          {t('appName')}
        </a>
        <nav aria-label={t('appName')}>
          {session && <a href="#/machines">{t('machines')}</a>}
          {session && <a href="#/webhook">{t('webhook')}</a>}
          <a href={`${API_PREFIX}/docs`}>{t('apiReference')}</a>
        </nav>
        <div class="tools">
          {session && <span class="muted">{t('signedInAs', { appid: session.appId })}</span>}
          <button type="button" class="link" lang={language === 'zh' ? 'en' : 'zh-CN'} aria-label={t('languageSwitch')} onClick={switchLanguage}>
            {t('language')}
          </button>
          {session && (
            <button type="button" onClick={leave}>
              {t('signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {!session ? (
          <SignInPage timeZone={timeZone} onSignedIn={setSession} />
        ) : (
          <SessionContext.Provider value={session}>
            {route.page === 'machines' && <MachinesPage />}
            {route.page === 'machine' && <MachinePage key={route.machineNo} machineNo={route.machineNo} />}
            {route.page === 'code' && <CodePage key={`${route.machineNo}/${route.id}`} machineNo={route.machineNo} codeId={route.id} />}
            {route.page === 'orders' && <OrdersPage key={route.machineNo} machineNo={route.machineNo} />}
            {route.page === 'order' && <OrderPage key={`${route.machineNo}/${route.id}`} machineNo={route.machineNo} orderId={route.id} />}
            {route.page === 'webhook' && <WebhookPage />}
          </SessionContext.Provider>
        )}
      </main>
    </I18n.Provider>
  );
}

void loadServerConfig().then(({ timeZone }) => render(<App timeZone={timeZone} />, document.getElementById('app')!));
