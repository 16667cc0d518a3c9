/**
 * One order of a machine: its records (a waiting one can be delivered), its deliveries as the
 * machine settles them (the page polls, so a result shows by itself), and its callbacks with
 * every attempt.
 */
import { useState } from 'preact/hooks';
import type { OrderDelivery, OrderRecord } from '../../../src/client/index.js';
import { useT, type Message } from '../i18n.js';
import { machineProducts } from '../machine-products.js';
import { ErrorNotice, UpdatedAt, usePoll, useSession, WallTime } from '../ui.js';
import { useOrderWords } from '../words/order-words.js';
import { CallbackList } from './callbacks.js';
import { OrderSection } from './code-order.js';

/** order_get.md: a record waits for its delivery in this state. */
const WAITING = 'WAITING_PICKED_UP';

export function OrderPage({ machineNo, orderId }: { machineNo: string; orderId: number }) {
  const t = useT();
  const { client } = useSession();
  const [changes, setChanges] = useState(0);
  const [done, setDone] = useState<Message | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const order = usePoll(async () => {
    const [detail, deliveries, callbacks, products] = await Promise.all([
      client.getOrder(machineNo, orderId),
      client.orderDeliveries(machineNo, orderId),
      client.orderCallbacks(orderId),
      machineProducts(client, machineNo),
    ]);
    return { detail, deliveries, callbacks, productName: (id: number) => products.find((product) => product.id === id)?.good.name ?? `#${id}` };
  }, `order:${machineNo}:${orderId}:${changes}`);
  const changed = () => setChanges((count) => count + 1);
  const deliver = (record: OrderRecord) => {
    setError(undefined);
    setDone(undefined);
    client.deliver(machineNo, orderId, record.id).then((started) => {
      setDone({ key: 'deliveryStarted', values: { id: started.deliveryId } });
      changed();
    }, setError);
  };
  const data = order.data;
  const ordersPath = `#/machines/${encodeURIComponent(machineNo)}/orders`;

  return (
    <section>
      <p class="breadcrumb">
        <a href={ordersPath}>← {t('ordersTitle', { no: machineNo })}</a>
      </p>
      <h1 tabIndex={-1}>{t('orderTitle', { id: orderId })}</h1>
      <ErrorNotice error={order.error} />
      <UpdatedAt at={order.updatedAt} />
      <div role="status">{done && <p class="notice ok">{t(done.key, done.values)}</p>}</div>
      <ErrorNotice error={error} />
      {data && (
        <>
          <OrderSection
            order={data.detail}
            productName={data.productName}
            recordActions={(record) =>
              record.status === WAITING && (
                <button type="button" class="primary" aria-label={t('deliverRecord', { id: record.id })} onClick={() => deliver(record)}>
                  {t('deliver')}
                </button>
              )
            }
          />
          {data.detail.pickupCodeId !== undefined && (
            <p>
              <a href={`#/machines/${encodeURIComponent(machineNo)}/codes/${data.detail.pickupCodeId}`}>
                {t('code')} #{data.detail.pickupCodeId}
              </a>
            </p>
          )}
          <DeliveriesSection deliveries={data.deliveries} productName={data.productName} />
          <section aria-labelledby="callbacks-title">
            <h2 id="callbacks-title">{t('callbacks')}</h2>
            <CallbackList callbacks={data.callbacks} onResent={changed} />
          </section>
        </>
      )}
    </section>
  );
}

function DeliveriesSection({ deliveries, productName }: { deliveries: OrderDelivery[]; productName: (id: number) => string }) {
  const t = useT();
  const words = useOrderWords();
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">{t('deliveries')}</h2>
      {deliveries.length === 0 ? (
        <p>{t('noDeliveries')}</p>
      ) : (
        <table class="deliveries">
          <thead>
            <tr>
              <th scope="col">{t('delivery')}</th>
              <th scope="col">{t('record')}</th>
              <th scope="col">{t('product')}</th>
              <th scope="col">{words.state}</th>
              <th scope="col">{t('commandedAt')}</th>
              <th scope="col">{t('settledAt')}</th>
              <th scope="col">{t('failReason')}</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((delivery) => (
              <tr key={delivery.deliveryId} data-delivery-id={delivery.deliveryId} data-status={delivery.status}>
                <th scope="row">{delivery.deliveryId}</th>
                <td>{delivery.recordId}</td>
                <td>{productName(delivery.productId)}</td>
                <td class="delivery-state">{words.stateWords(delivery.status)}</td>
                <td>
                  <WallTime at={delivery.deliveredAt} />
                </td>
                <td>
                  <WallTime at={delivery.settledAt} />
                </td>
                <td>{delivery.failReason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
