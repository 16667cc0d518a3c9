/**
 * A channel's test vend (delivery_test.md) from the machine's page, and its status followed
 * live: the page asks where the delivery stands until the machine's result (or the timeout)
 * settles it.
 */
import { useState } from 'preact/hooks';
import { useT } from '../i18n.js';
import type { MachineProduct } from '../machine-products.js';
import { ErrorNotice, usePoll, useSession } from '../ui.js';
import { useOrderWords } from '../words/order-words.js';

export function TestVendForm({ machineNo, products }: { machineNo: string; products: MachineProduct[] }) {
  const t = useT();
  const { client } = useSession();
  const channels = [...new Set(products.map((product) => product.channel.name).filter((name): name is string => Boolean(name)))];
  const [error, setError] = useState<unknown>(undefined);
  const [deliveryId, setDeliveryId] = useState<number | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    client.testDelivery(machineNo, String(form.get('channel')), String(form.get('notifyUrl')).trim()).then(
      (started) => {
        setDeliveryId(started.deliveryId);
        setBusy(false);
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };

  if (channels.length === 0) return null;
  return (
    <section aria-labelledby="test-vend-title">
      <h2 id="test-vend-title">{t('testVend')}</h2>
      <p class="muted">{t('testVendHint')}</p>
      <form class="inline" onSubmit={submit}>
        <label>
          {t('channel')}
          <select name="channel">
            {channels.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('notifyUrl')}
          <input name="notifyUrl" type="url" required placeholder="https://" />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {t('testVendStart')}
        </button>
      </form>
      <ErrorNotice error={error} />
      {deliveryId !== undefined && <TestVendState key={deliveryId} machineNo={machineNo} deliveryId={deliveryId} />}
    </section>
  );
}

function TestVendState({ machineNo, deliveryId }: { machineNo: string; deliveryId: number }) {
  const t = useT();
  const words = useOrderWords();
  const { client } = useSession();
  const state = usePoll(() => client.getDelivery(machineNo, deliveryId), `delivery:${machineNo}:${deliveryId}`);
  return (
    <>
      <p role="status" class="notice ok test-vend-state" data-status={state.data?.status}>
        {t('testVendState', { id: deliveryId, state: words.stateWords(state.data?.status) })}
        {state.data?.failReason && ` (${state.data.failReason})`}
      </p>
      <ErrorNotice error={state.error} />
    </>
  );
}
