/** One code's life: its product by name, its changes (who, which request or machine, when), its conflicts, its pushes, its order with its records. */
import type { MachinePush, PickupCodeEvent, PickupCodeHistory } from '../../../src/client/index.js';
import { useContext } from 'preact/hooks';
import { conflictWords, type ConflictMet } from '../words/conflict-words.js';
import { I18n, knownKey, useT, type Translate } from '../i18n.js';
import { machineProducts } from '../machine-products.js';
import { ErrorNotice, StatusBadge, UpdatedAt, usePoll, useSession, WallTime } from '../ui.js';
import { OrderSection } from './code-order.js';

type Entry = { at: Date | undefined; event: PickupCodeEvent } | { at: Date | undefined; push: MachinePush };

/** Changes and pushes in time order; a push queued in the second of its change comes after it. */
function timeline(history: Pick<PickupCodeHistory, 'events' | 'pushes'>): Entry[] {
  const entries: Entry[] = [
    ...history.events.map((event) => ({ at: event.at, event })),
    ...history.pushes.map((push) => ({ at: push.queuedAt, push })),
  ];
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry.at?.getTime() ?? 0) - (b.entry.at?.getTime() ?? 0) || a.index - b.index)
    .map(({ entry }) => entry);
}

/** `merchant:3` → "merchant 3", `machine:10000001` → "machine 10000001". */
function actorName(actor: string, t: Translate): string {
  const [kind = '', id = ''] = actor.split(':');
  const key = `actor.${kind}`;
  return knownKey(key) ? t(key, { id }) : actor;
}

function label(t: Translate, key: string, fallback: string): string {
  return knownKey(key) ? t(key) : fallback;
}

export function CodePage({ machineNo, codeId }: { machineNo: string; codeId: number }) {
  const t = useT();
  const { client } = useSession();
  const history = usePoll(async () => {
    const life = await client.pickupCodeHistory(machineNo, codeId);
    // The history's order says only whether it was picked up; order_get.md tells each record's delivery state.
    const [products, order] = await Promise.all([machineProducts(client, machineNo), life.order ? client.getOrder(machineNo, life.order.orderId) : undefined]);
    const names = new Map(products.map((product) => [product.id, product.good.name]));
    const productName = (id: number) => names.get(id) ?? `#${id}`;
    return { ...life, order, productName };
  }, `code:${machineNo}:${codeId}`);
  const data = history.data;

  return (
    <section>
      <p class="breadcrumb">
        <a href="#/machines">{t('machines')}</a> / <a href={`#/machines/${encodeURIComponent(machineNo)}`}>{t('machineTitle', { no: machineNo })}</a>
      </p>
      <h1 tabIndex={-1}>
        {t('codeTitle', { code: data?.code.code ?? `#${codeId}` })} {data && <StatusBadge status={data.code.status} />}
      </h1>
      <ErrorNotice error={history.error} />
      <UpdatedAt at={history.updatedAt} />
      {data && (
        <>
          <dl class="facts">
            <div>
              <dt>ID</dt>
              <dd>{data.code.id}</dd>
            </div>
            <div>
              <dt>{t('product')}</dt>
              <dd class="product">
                {data.productName(data.code.productId)} <span class="muted">#{data.code.productId}</span>
              </dd>
            </div>
            <div>
              <dt>{t('createdAt')}</dt>
              <dd>
                <WallTime at={data.code.createdAt} />
              </dd>
            </div>
            <div>
              <dt>{t('expires')}</dt>
              <dd>
                <WallTime at={data.code.expiredAt} fallback={t('noExpiry')} />
              </dd>
            </div>
          </dl>
          <ConflictNotices events={data.events} />
          <h2>{t('codeLife')}</h2>
          <Timeline entries={timeline(data)} />
          <p class="muted">{t('pushesPurged')}</p>
          {data.order && <OrderSection order={data.order} productName={data.productName} />}
        </>
      )}
    </section>
  );
}

/**
 * A redemption at the machine that met a code used, cancelled or expired (docs/mqtt.md): told
 * above the timeline, since the item may have left twice. The state it met is the entry's
 * `from_status`; an UNUSED code met by a conflict was past its expiry.
 */
function ConflictNotices({ events }: { events: PickupCodeEvent[] }) {
  const { language } = useContext(I18n);
  const conflicts = events.filter((event) => event.action === 'conflict');
  return (
    <>
      {conflicts.map((event, index) => {
        const met: ConflictMet = event.fromStatus === 'USED' || event.fromStatus === 'CANCELLED' ? event.fromStatus : 'EXPIRED';
        const { title, sentence } = conflictWords(language, met, event.actor.replace(/^machine:/, ''));
        return (
          <p key={index} class="notice conflict" role="alert" data-met={met}>
            <strong>{title}</strong> <WallTime at={event.at} /> {sentence}
          </p>
        );
      })}
    </>
  );
}

function Timeline({ entries }: { entries: Entry[] }) {
  const t = useT();
  if (entries.length === 0) return <p>{t('noEvents')}</p>;
  return (
    <ol class="timeline">
      {entries.map((entry, index) =>
        'event' in entry ? (
          <li key={index} class={`event action-${entry.event.action}`}>
            <WallTime at={entry.at} /> <strong>{label(t, `action.${entry.event.action}`, entry.event.action)}</strong>{' '}
            {entry.event.fromStatus && <StatusBadge status={entry.event.fromStatus} />}
            {entry.event.fromStatus && ' → '}
            <StatusBadge status={entry.event.toStatus} />
            <span class="muted">
              {' '}
              {t('by')}: {actorName(entry.event.actor, t)}
              {entry.event.requestId && ` · ${t('request')}: ${entry.event.requestId}`}
              {entry.event.detail && ` · ${entry.event.detail}`}
            </span>
          </li>
        ) : (
          <li key={index} class="push">
            <WallTime at={entry.at} /> {label(t, `push.${entry.push.method}`, entry.push.method)}{' '}
            <span class="muted">
              {entry.push.sentAt ? (
                <>
                  {t('pushSent')}
                  <WallTime at={entry.push.sentAt} />
                </>
              ) : (
                t('pushQueued')
              )}
            </span>
          </li>
        ),
      )}
    </ol>
  );
}
