/**
 * Demo data for `vendcloud serve --demo`: one merchant, one machine with pickup codes on,
 * three products. Secrets are only ever stored hashed, so on every start the demo
 * merchant's AppSecret and the machine's MQTT password are rotated and printed afresh.
 */
import { generateSecret, hashSecret } from '../domain/credentials.js';
import * as machines from '../store/repositories/machines.repository.js';
import * as merchants from '../store/repositories/merchants.repository.js';
import * as products from '../store/repositories/products.repository.js';
import type { Store } from '../store/store.js';
import { createMachine, createMerchant, createProduct, operatorAuthor } from './admin.js';
import { runChange } from './runner.js';

export const DEMO_MERCHANT_NAME = 'Demo Merchant';
export const DEMO_MACHINE_NO = '10000001';

export interface DemoCredentials {
  merchant_id: number;
  appid: string;
  app_secret: string;
  machine_no: string;
  machine_id: number;
  mqtt_password: string;
  product_ids: number[];
}

export async function ensureDemoData(store: Store): Promise<DemoCredentials> {
  const existing = await merchants.findFirstByName(store.db, DEMO_MERCHANT_NAME);
  if (!existing) {
    const merchant = await createMerchant(store, { name: DEMO_MERCHANT_NAME });
    const machine = await createMachine(store, {
      merchantId: merchant.merchant_id,
      machineNo: DEMO_MACHINE_NO,
      name: 'Lobby machine',
      address: 'Demo building, ground floor',
      pickupCodes: true,
    });
    const created = [
      await createProduct(store, { machineNo: DEMO_MACHINE_NO, name: 'Mineral water 550ml', price: '2.00', capacity: 10, inventory: 8, channel: 'A1', category: 'Drinks' }),
      await createProduct(store, { machineNo: DEMO_MACHINE_NO, name: 'Orange juice 300ml', price: '4.50', capacity: 10, inventory: 5, channel: 'A2', category: 'Drinks' }),
      await createProduct(store, { machineNo: DEMO_MACHINE_NO, name: 'Chocolate bar', price: '6.00', capacity: 8, inventory: 6, channel: 'A3', category: 'Snacks' }),
    ];
    return { ...merchant, machine_no: machine.machine_no, machine_id: machine.machine_id, mqtt_password: machine.mqtt_password, product_ids: created.map((p) => p.id) };
  }
  const appSecret = generateSecret();
  const mqttPassword = generateSecret();
  const machine = await runChange(store, operatorAuthor(), async ({ trx, now }) => {
    await merchants.setSecretHash(trx, existing.id, hashSecret(appSecret));
    await machines.update(trx, DEMO_MACHINE_NO, { mqtt_password_hash: hashSecret(mqttPassword) }, now);
    return (await machines.findByNumber(trx, DEMO_MACHINE_NO))!;
  });
  const productIds = await products.idsOfMachine(store.db, machine.id);
  return {
    merchant_id: existing.id,
    appid: existing.appid,
    app_secret: appSecret,
    machine_no: DEMO_MACHINE_NO,
    machine_id: machine.id,
    mqtt_password: mqttPassword,
    product_ids: productIds,
  };
}
