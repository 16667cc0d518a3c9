/** One machine: its state, its products with stock and live codes, creating and cancelling codes. */
import { useState } from 'preact/hooks';
import { useT } from '../i18n.js';
import { machineProducts, type MachineProduct } from '../machine-products.js';
import { ErrorNotice, Flag, UpdatedAt, usePoll, useSession, WallTime } from '../ui.js';
import { CodesSection } from './machine-codes.js';
import { CreateCodesForm } from './create-codes.js';
import { TestVendForm } from './test-vend.js';

export function MachinePage({ machineNo }: { machineNo: string }) {
  const t = useT();
  const { client } = useSession();
  // Bumped after a change made on this page, so every list reloads at once.
  const [changes, setChanges] = useState(0);
  const machine = usePoll(async () => {
    const [[overview], all, counts, pushes] = await Promise.all([
      client.machinesOverview(machineNo),
      machineProducts(client, machineNo),
      client.liveCodeCounts(machineNo),
      client.unsentPushes(machineNo),
    ]);
    const live = new Map(counts.map((count) => [count.productId, count.liveCodes]));
    const products: MachineProduct[] = all.map((product) => ({ ...product, liveCodes: live.get(product.id) ?? 0 }));
    return { overview: overview!, products, pushes };
  }, `machine:${machineNo}:${changes}`);
  const changed = () => setChanges((count) => count + 1);
  const data = machine.data;

  return (
    <section>
      <p class="breadcrumb">
        <a href="#/machines">← {t('machines')}</a>
      </p>
      <h1 tabIndex={-1}>
        {t('machineTitle', { no: machineNo })}
        {data?.overview.machineName && <span class="muted"> · {data.overview.machineName}</span>}
      </h1>
      <p>
        <a href={`#/machines/${encodeURIComponent(machineNo)}/orders`}>{t('orders')} →</a>
      </p>
      <ErrorNotice error={machine.error} />
      <UpdatedAt at={machine.updatedAt} />
      {data && (
        <>
          <dl class="facts">
            <div>
              <dt>{t('connection')}</dt>
              <dd>
                <Flag on={data.overview.isOnline} yes={t('online')} no={t('offline')} />
              </dd>
            </div>
            <div>
              <dt>{t('lastSeen')}</dt>
              <dd>
                <WallTime at={data.overview.lastSeenAt} fallback={t('never')} />
              </dd>
            </div>
            <div>
              <dt>{t('network')}</dt>
              <dd class="network">{[data.overview.networkType, data.overview.networkRssi && `${data.overview.networkRssi} dBm`].filter(Boolean).join(' · ') || '—'}</dd>
            </div>
            <div>
              <dt>{t('linkProfile')}</dt>
              <dd class="link-profile">{data.overview.linkProfile === 'extended' ? t('linkExtended') : t('linkOriginal')}</dd>
            </div>
            <div>
              <dt>{t('unsentPushes')}</dt>
              <dd class="unsent-pushes">
                {data.pushes.oldestQueuedAt ? (
                  <>
                    {data.pushes.unsent} · <WallTime at={data.pushes.oldestQueuedAt} />
                  </>
                ) : (
                  t('noneWaiting')
                )}
              </dd>
            </div>
            <div>
              <dt>{t('operating')}</dt>
              <dd>
                <Flag on={data.overview.operating} yes={t('inOperation')} no={t('notOperating')} />
              </dd>
            </div>
            <div>
              <dt>{t('pickupCodes')}</dt>
              <dd>
                <Flag on={data.overview.pickupCodesEnabled} yes={t('on')} no={t('off')} />
              </dd>
            </div>
            <div>
              <dt>{t('liveCodes')}</dt>
              <dd class="live-codes">{data.overview.liveCodes}</dd>
            </div>
          </dl>
          <ProductsTable machineNo={machineNo} products={data.products} onRestocked={changed} />
          <CreateCodesForm machineNo={machineNo} products={data.products} onCreated={changed} />
          <CodesSection machineNo={machineNo} products={data.products} liveCodes={data.overview.liveCodes} changes={changes} onChanged={changed} />
          <TestVendForm machineNo={machineNo} products={data.products} />
        </>
      )}
    </section>
  );
}

/** The products with their stock; a merchant restocks one product or the whole machine (on sale, refilled to capacity). */
function ProductsTable({ machineNo, products, onRestocked }: { machineNo: string; products: MachineProduct[]; onRestocked: () => void }) {
  const t = useT();
  const { client } = useSession();
  const [error, setError] = useState<unknown>(undefined);
  const restock = (productId?: number) => {
    setError(undefined);
    client.restockProducts(machineNo, productId).then(onRestocked, setError);
  };
  return (
    <section aria-labelledby="products-title">
      <h2 id="products-title">{t('products')}</h2>
      <ErrorNotice error={error} />
      {products.length > 0 && (
        <p>
          <button type="button" class="restock-all" onClick={() => restock()}>
            {t('restockAll')}
          </button>
        </p>
      )}
      {products.length === 0 ? (
        <p>{t('noProducts')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">{t('product')}</th>
              <th scope="col">{t('channel')}</th>
              <th scope="col" class="number">
                {t('price')}
              </th>
              <th scope="col" class="number">
                {t('stock')}
              </th>
              <th scope="col">{t('status')}</th>
              <th scope="col" class="number">
                {t('liveCodes')}
              </th>
              <th scope="col">{t('restock')}</th>
            </tr>
          </thead>
          <tbody>
            {products.map((product) => (
              <tr key={product.id} data-product-id={product.id}>
                <td>{product.id}</td>
                <th scope="row">{product.good.name ?? '—'}</th>
                <td>{[product.channel.cabinetName, product.channel.name].filter(Boolean).join(' · ')}</td>
                <td class="number">{product.good.price ?? '—'}</td>
                <td class="number">
                  {product.currentInventory} / {product.inventory}
                </td>
                <td>
                  <Flag on={product.onSale} yes={t('onSale')} no={t('offSale')} />
                </td>
                <td class="number live-codes">{product.liveCodes}</td>
                <td>
                  <button type="button" class="restock" aria-label={`${t('restock')} ${product.good.name ?? product.id}`} onClick={() => restock(product.id)}>
                    {t('restock')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
