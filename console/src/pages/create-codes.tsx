/** Creating pickup codes for one product (a count) or for every product (topped up to stock). */
import { useState } from 'preact/hooks';
import type { PickupCode } from '../../../src/client/index.js';
import { useT } from '../i18n.js';
import { ErrorNotice, useSession } from '../ui.js';
import type { MachineProduct } from '../machine-products.js';

const ALL = 'all';
const CODE_LENGTHS = [6, 7, 8, 9, 10];

/** `<input type="datetime-local">` gives 2030-01-01T12:00(:00); the API takes a wall time with seconds. */
function wallTimeFromInput(value: string): string | undefined {
  if (value === '') return undefined;
  const [day, time = ''] = value.split('T');
  return `${day} ${time.length === 5 ? `${time}:00` : time}`;
}

export function CreateCodesForm({ machineNo, products, onCreated }: { machineNo: string; products: MachineProduct[]; onCreated: () => void }) {
  const t = useT();
  const { client, timeZone } = useSession();
  const [target, setTarget] = useState<string>(() => String(products[0]?.id ?? ALL));
  const [count, setCount] = useState('1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [created, setCreated] = useState<PickupCode[] | undefined>(undefined);
  const product = products.find((candidate) => String(candidate.id) === target);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const options = { codeLength: Number(form.get('codeLength')), expiredAt: wallTimeFromInput(String(form.get('expiresAt') ?? '')) };
    setBusy(true);
    setError(undefined);
    setCreated(undefined);
    try {
      const codes = product
        ? await client.createPickupCodes(machineNo, { productId: product.id, count: Number(form.get('count')), ...options })
        : await client.createPickupCodesForAllProducts(machineNo, options);
      setCreated(codes);
      onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-title">
      <h2 id="create-title">{t('createCodes')}</h2>
      <form class="inline" onSubmit={submit}>
        <label>
          {t('createFor')}
          <select name="product" value={target} onChange={(event) => setTarget(event.currentTarget.value)}>
            {products.map((candidate) => (
              <option key={candidate.id} value={String(candidate.id)}>
                {candidate.good.name ?? candidate.id} (#{candidate.id})
              </option>
            ))}
            <option value={ALL}>{t('createForAll')}</option>
          </select>
        </label>
        {product && (
          <label>
            {t('count')}
            <input name="count" type="number" min={1} max={product.inventory} value={count} onInput={(event) => setCount(event.currentTarget.value)} required class="short" />
          </label>
        )}
        <label>
          {t('codeLength')}
          <select name="codeLength">
            {CODE_LENGTHS.map((length) => (
              <option key={length} value={String(length)}>
                {length}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('expiresAt', { zone: timeZone })}
          <input name="expiresAt" type="datetime-local" step={1} />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('creating') : t('create')}
        </button>
      </form>
      <ErrorNotice error={error} />
      <div role="status">
        {created && (
          <p class="notice ok created-codes">{created.length === 0 ? t('createdNone') : t('created', { n: created.length, codes: created.map((code) => code.code).join(', ') })}</p>
        )}
      </div>
    </section>
  );
}
