/**
 * An order (order_get.md): its facts and its records, each with its product and delivery
 * state; on a code's page, and on the order's own page with a delivery button per record.
 */
import type { ComponentChildren } from 'preact';
import type { Order, OrderRecord } from '../../../src/client/index.js';
import { useT } from '../i18n.js';
import { useOrderWords } from '../words/order-words.js';
import { WallTime } from '../ui.js';

interface Props {
  order: Order;
  productName: (id: number) => string;
  /** What can be done with a record (a column of its own when given). */
  recordActions?: (record: OrderRecord) => ComponentChildren;
}

export function OrderSection({ order, productName, recordActions }: Props) {
  const t = useT();
  const words = useOrderWords();
  return (
    <section aria-labelledby="order-title" class="order">
      <h2 id="order-title">{t('order')}</h2>
      <dl class="facts">
        <div>
          <dt>{t('orderId')}</dt>
          <dd>{order.orderId}</dd>
        </div>
        <div>
          <dt>{t('tradeId')}</dt>
          <dd>{order.tradeId ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('date')}</dt>
          <dd>
            <WallTime at={order.date} dayOnly />
          </dd>
        </div>
        <div>
          <dt>{t('amount')}</dt>
          <dd>{order.amount}</dd>
        </div>
        <div>
          <dt>{t('status')}</dt>
          <dd>{order.status}</dd>
        </div>
      </dl>
      <table class="records">
        <caption>{words.records}</caption>
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">{t('product')}</th>
            <th scope="col" class="number">
              {words.quantity}
            </th>
            <th scope="col" class="number">
              {t('price')}
            </th>
            <th scope="col">{words.state}</th>
            {recordActions && <th scope="col">{t('actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {order.records.map((record) => (
            <tr key={record.id} data-record-id={record.id} data-status={record.status}>
              <td>{record.id}</td>
              <th scope="row">{productName(record.productId)}</th>
              <td class="number">{record.quantity}</td>
              <td class="number">{record.price}</td>
              <td class="record-state">{words.stateWords(record.status)}</td>
              {recordActions && <td>{recordActions(record)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
