/** Import files as a merchant leaving the original platform brings them (docs/import.md). */
import type { Store } from '../../src/store/store.js';

export const MERCHANT_ID = 10086;
export const APPID = 'ds0123456789abcdef';
export const APP_SECRET = 'OriginalSecretOriginalSecret1234';
export const MACHINE_ID = 10009;
export const MQTT_PASSWORD = 'set-on-the-machine-7Q';
export const PRODUCT_ID = 20001;
export const CODE_ID = 555;
export const CODE = '87654321';

export type ImportDocument = Record<'merchants' | 'machines' | 'products' | 'pickup_codes', Array<Record<string, unknown>>>;

/** One merchant, one machine with two products, and codes its customers hold (an UNUSED one first). */
export function originalPlatformFile(machineNo = '16327138'): ImportDocument {
  return {
    merchants: [{ merchant_id: MERCHANT_ID, name: '老店', appid: APPID, app_secret: APP_SECRET }],
    machines: [{ id: MACHINE_ID, machine_no: machineNo, merchant_id: MERCHANT_ID, name: 'Lobby', mqtt_password: MQTT_PASSWORD, pickup_codes: true, operating: true }],
    products: [
      { id: PRODUCT_ID, machine_no: machineNo, name: 'Water', price: '3.50', capacity: 10, current_inventory: 7, cabinet_name: 'A', channel_code: '12', addr: 3 },
      { id: PRODUCT_ID + 1, machine_no: machineNo, name: 'Tea', price: '4.00', capacity: 5, current_inventory: 5, cabinet_name: 'A', channel_code: '13' },
    ],
    pickup_codes: [
      { id: CODE_ID, machine_no: machineNo, product_id: PRODUCT_ID, code: CODE, status: 'UNUSED', expired_at: '2030-12-31 23:59:59', created_at: '2026-11-01 10:00:00' },
      { id: CODE_ID + 1, machine_no: machineNo, product_id: PRODUCT_ID, code: '11223344', status: 'USED', expired_at: null, created_at: '2026-11-01 10:00:00', used_at: '2026-11-02 09:30:00' },
      { id: CODE_ID + 2, machine_no: machineNo, product_id: PRODUCT_ID + 1, code: '55667788', status: 'CANCELLED', created_at: '2026-11-01 10:00:00', cancelled_at: '2026-11-03 08:00:00' },
    ],
  };
}

/** Rows of every table an import writes: equal before and after means nothing was written. */
export async function storedRows(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['merchants', 'machines', 'categories', 'products', 'pickup_codes'] as const) {
    const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}
