/**
 * A machine's codes: filtered by status and product, searched by code, paged; cancelling one
 * after a confirmation, or all of them only after typing the machine number.
 */
import { useState } from 'preact/hooks';
import type { PickupCode, PickupCodeStatusFilter } from '../../../src/client/index.js';
import { ConsoleRefusal, useT, type Message } from '../i18n.js';
import { Dialog, ErrorNotice, StatusBadge, usePoll, useSession, WallTime } from '../ui.js';
import type { MachineProduct } from '../machine-products.js';

const STATUSES: PickupCodeStatusFilter[] = ['UNUSED', 'USED', 'EXPIRED', 'CANCELLED', 'ALL'];
const PER_PAGE = 20;
/** Codes that can still be cancelled (an expired code is UNUSED underneath). */
const CANCELLABLE = new Set(['UNUSED', 'EXPIRED']);

interface Props {
  machineNo: string;
  products: MachineProduct[];
  liveCodes: number;
  /** Changes made elsewhere on the page: reload. */
  changes: number;
  onChanged: () => void;
}

export function CodesSection({ machineNo, products, liveCodes, changes, onChanged }: Props) {
  const t = useT();
  const { client } = useSession();
  const [filter, setFilter] = useState({ status: 'UNUSED' as PickupCodeStatusFilter, productId: '', code: '', page: 1 });
  const [asking, setAsking] = useState<{ kind: 'one'; code: PickupCode } | { kind: 'all' } | undefined>(undefined);
  const [done, setDone] = useState<Message | undefined>(undefined);
  const codes = usePoll(
    () =>
      client.queryPickupCodes(machineNo, {
        status: filter.status,
        productId: filter.productId === '' ? undefined : Number(filter.productId),
        code: filter.code.trim() === '' ? undefined : filter.code.trim(),
        page: filter.page,
        perPage: PER_PAGE,
      }),
    `codes:${machineNo}:${JSON.stringify(filter)}:${changes}`,
  );
  const refine = (change: Partial<typeof filter>) => setFilter((current) => ({ ...current, page: 1, ...change }));
  const productName = (id: number) => products.find((product) => product.id === id)?.good.name ?? `#${id}`;
  const finished = (message: Message) => {
    setAsking(undefined);
    setDone(message);
    onChanged();
  };
  const page = codes.data;

  return (
    <section aria-labelledby="codes-title">
      <h2 id="codes-title">{t('codes')}</h2>
      <form class="inline" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t('status')}
          <select name="status" value={filter.status} onChange={(event) => refine({ status: event.currentTarget.value as PickupCodeStatusFilter })}>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`status.${status}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('product')}
          <select name="productId" value={filter.productId} onChange={(event) => refine({ productId: event.currentTarget.value })}>
            <option value="">{t('allProducts')}</option>
            {products.map((product) => (
              <option key={product.id} value={String(product.id)}>
                {product.good.name ?? product.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('searchCode')}
          <input name="code" type="search" inputMode="numeric" autoComplete="off" value={filter.code} onInput={(event) => refine({ code: event.currentTarget.value })} />
        </label>
        <button type="button" class="danger" onClick={() => setAsking({ kind: 'all' })}>
          {t('cancelAll')}
        </button>
      </form>
      <div role="status">{done && <p class="notice ok">{t(done.key, done.values)}</p>}</div>
      <ErrorNotice error={codes.error} />
      {page && page.data.length === 0 && <p>{t('noCodes')}</p>}
      {page && page.data.length > 0 && (
        <table class="codes">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">{t('code')}</th>
              <th scope="col">{t('product')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('createdAt')}</th>
              <th scope="col">{t('expires')}</th>
              <th scope="col">{t('endedAt')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((code) => (
              <tr key={code.id} data-code={code.code} data-status={code.status}>
                <td>{code.id}</td>
                <th scope="row" class="code">
                  {code.code}
                </th>
                <td>{productName(code.productId)}</td>
                <td>
                  <StatusBadge status={code.status} />
                </td>
                <td>
                  <WallTime at={code.createdAt} />
                </td>
                <td>
                  <WallTime at={code.expiredAt} fallback={t('noExpiry')} />
                </td>
                <td>
                  <WallTime at={code.usedAt ?? code.cancelledAt} />
                </td>
                <td>
                  <div class="actions">
                    <a href={`#/machines/${encodeURIComponent(machineNo)}/codes/${code.id}`} aria-label={`${t('history')} ${code.code}`}>
                      {t('history')}
                    </a>
                    {CANCELLABLE.has(code.status) && (
                      <button type="button" aria-label={`${t('cancel')} ${code.code}`} onClick={() => setAsking({ kind: 'one', code })}>
                        {t('cancel')}
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && page.total > 0 && (
        <nav class="pager" aria-label={t('codes')}>
          <button type="button" disabled={page.currentPage <= 1} onClick={() => setFilter((current) => ({ ...current, page: current.page - 1 }))}>
            {t('previous')}
          </button>
          {/* A capped total means "this many or more": the pages go on past it. */}
          <span>{t('page', { page: page.currentPage, last: page.totalCapped ? `${page.lastPage}+` : page.lastPage, total: page.totalCapped ? `${page.total}+` : page.total })}</span>
          <button type="button" disabled={page.currentPage >= page.lastPage && !page.totalCapped} onClick={() => setFilter((current) => ({ ...current, page: current.page + 1 }))}>
            {t('next')}
          </button>
        </nav>
      )}
      {asking?.kind === 'one' && (
        <CancelOneDialog machineNo={machineNo} code={asking.code} onClose={() => setAsking(undefined)} onDone={() => finished({ key: 'cancelled', values: { code: asking.code.code } })} />
      )}
      {asking?.kind === 'all' && (
        <CancelAllDialog machineNo={machineNo} liveCodes={liveCodes} onClose={() => setAsking(undefined)} onDone={(count) => finished({ key: 'cancelledAll', values: { n: count } })} />
      )}
    </section>
  );
}

/** Runs a change, keeping the dialog open with the API's error if it fails. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async <T,>(work: () => Promise<T>, then: (result: T) => void) => {
    setBusy(true);
    setError(undefined);
    try {
      then(await work());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

function CancelOneDialog({ machineNo, code, onClose, onDone }: { machineNo: string; code: PickupCode; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const { client } = useSession();
  const action = useAction();
  return (
    <Dialog title={t('confirmCancelTitle', { code: code.code })} onClose={onClose}>
      <p>{t('confirmCancelText')}</p>
      <ErrorNotice error={action.error} />
      <div class="buttons">
        <button type="button" autoFocus onClick={onClose}>
          {t('keep')}
        </button>
        <button type="button" class="danger" disabled={action.busy} onClick={() => action.run(() => client.cancelPickupCode(machineNo, code.id), onDone)}>
          {t('confirmCancel')}
        </button>
      </div>
    </Dialog>
  );
}

function CancelAllDialog({ machineNo, liveCodes, onClose, onDone }: { machineNo: string; liveCodes: number; onClose: () => void; onDone: (count: number) => void }) {
  const t = useT();
  const { client } = useSession();
  const action = useAction();
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const typed = String(new FormData(event.currentTarget as HTMLFormElement).get('machineNo') ?? '').trim();
    // The typed number is the whole safeguard: a mismatch sends nothing to the server.
    if (typed !== machineNo) {
      action.setError(new ConsoleRefusal({ key: 'cancelAllMismatch' }));
      return;
    }
    void action.run(() => client.cancelAllPickupCodes(machineNo), onDone);
  };
  return (
    <Dialog title={t('cancelAllTitle', { no: machineNo })} onClose={onClose}>
      <form onSubmit={submit}>
        <p id="cancel-all-text">{t('cancelAllText', { n: liveCodes })}</p>
        <label>
          {t('typeMachineNo')}
          <input name="machineNo" inputMode="numeric" autoComplete="off" required autoFocus aria-describedby="cancel-all-text" />
        </label>
        <ErrorNotice error={action.error} />
        <div class="buttons">
          <button type="button" onClick={onClose}>
            {t('keep')}
          </button>
          <button type="submit" class="danger" disabled={action.busy}>
            {t('cancelAllConfirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
