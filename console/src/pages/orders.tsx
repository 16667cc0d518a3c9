/** A machine's orders of one day (today in the platform zone unless another is chosen), newest first. */
import { useState } from 'preact/hooks';
import { formatWallDay, nowSeconds } from '../../../src/protocol/time.js';
import { useT } from '../i18n.js';
import { machineProducts } from '../machine-products.js';
import { ErrorNotice, UpdatedAt, usePoll, useSession, WallTime } from '../ui.js';
import { useOrderWords } from '../words/order-words.js';

const PER_PAGE = 20;

export function OrdersPage({ machineNo }: { machineNo: string }) {
  const t = useT();
  const words = useOrderWords();
  const { client, timeZone } = useSession();
  const [filter, setFilter] = useState({ day: formatWallDay(nowSeconds(), timeZone), page: 1 });
  const orders = usePoll(async () => {
    const [page, products] = await Promise.all([client.ordersOfDay(machineNo, filter.day, { page: filter.page, perPage: PER_PAGE }), machineProducts(client, machineNo)]);
    return { page, productName: (id: number) => products.find((product) => product.id === id)?.good.name ?? `#${id}` };
  }, `orders:${machineNo}:${filter.day}:${filter.page}`);
  const machinePath = `#/machines/${encodeURIComponent(machineNo)}`;
  const page = orders.data?.page;

  return (
    <section>
      <p class="breadcrumb">
        <a href={machinePath}>← {t('machineTitle', { no: machineNo })}</a>
      </p>
      <h1 tabIndex={-1}>{t('ordersTitle', { no: machineNo })}</h1>
      <form class="inline" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t('day')}
          <input name="day" type="date" required value={filter.day} onChange={(event) => event.currentTarget.value && setFilter({ day: event.currentTarget.value, page: 1 })} />
        </label>
      </form>
      <ErrorNotice error={orders.error} />
      <UpdatedAt at={orders.updatedAt} />
      {page && page.data.length === 0 && <p>{t('noOrders')}</p>}
      {page && page.data.length > 0 && (
        <table class="orders">
          <thead>
            <tr>
              <th scope="col">{t('orderId')}</th>
              <th scope="col">{t('madeAt')}</th>
              <th scope="col">{t('tradeId')}</th>
              <th scope="col" class="number">
                {t('amount')}
              </th>
              <th scope="col">{words.records}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((order) => (
              <tr key={order.orderId} data-order-id={order.orderId}>
                <th scope="row">
                  <a href={`${machinePath}/orders/${order.orderId}`}>{order.orderId}</a>
                </th>
                <td>
                  <WallTime at={order.createdAt} />
                </td>
                <td class="code">{order.tradeId ?? '—'}</td>
                <td class="number">{order.amount}</td>
                <td>
                  {order.records.map((record) => (
                    <div key={record.id} class="record-state">
                      {orders.data!.productName(record.productId)} × {record.quantity} · {words.stateWords(record.status)}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && page.total > PER_PAGE && (
        <nav class="pager" aria-label={t('orders')}>
          <button type="button" disabled={page.currentPage <= 1} onClick={() => setFilter((current) => ({ ...current, page: current.page - 1 }))}>
            {t('previous')}
          </button>
          <span>{t('page', { page: page.currentPage, last: page.lastPage, total: page.total })}</span>
          <button type="button" disabled={page.currentPage >= page.lastPage} onClick={() => setFilter((current) => ({ ...current, page: current.page + 1 }))}>
            {t('next')}
          </button>
        </nav>
      )}
    </section>
  );
}
