/**
 * An import file against what the store holds: each record is created (its id is free),
 * kept (the same record is stored: a re-import changes nothing) or refused (it contradicts
 * what is stored: the same merchant_id with another Appid, a machine_no under another id or
 * merchant, a code id with another code). Only the identity of a record is compared; its
 * state (a name, a stock, a code's status) is the store's once imported, so a file imported
 * before stays a no-op after the machines have vended.
 */
import { IMPORT_PROBLEM_LIMIT, type ImportFile, type ImportProblem } from '../domain/import-file.js';
import type { CodeRecord, MachineRecord, MerchantRecord, ProductRecord } from '../domain/import-records.js';
import type { Executor } from '../store/executor.js';
import * as imports from '../store/repositories/imports.repository.js';

export interface ImportPlan {
  merchants: MerchantRecord[];
  machines: MachineRecord[];
  products: ProductRecord[];
  pickup_codes: CodeRecord[];
}

export interface ImportTally {
  merchants: number;
  machines: number;
  products: number;
  pickup_codes: number;
}

export interface PlannedImport {
  /** The records to create. */
  create: ImportPlan;
  /** How many records are stored already, the same. */
  kept: ImportTally;
  /** The contradictions; when any, nothing of the file may be written. */
  refused: ImportProblem[];
}

class Planner {
  readonly create: ImportPlan = { merchants: [], machines: [], products: [], pickup_codes: [] };
  readonly kept: ImportTally = { merchants: 0, machines: 0, products: 0, pickup_codes: 0 };
  readonly refused: ImportProblem[] = [];

  /** Sorts one record: refused when it contradicts anything, kept when stored, else created. */
  decide<K extends keyof ImportPlan>(list: K, record: ImportPlan[K][number], stored: boolean, contradictions: Array<[field: string, message: string] | false>): void {
    const found = contradictions.filter((entry): entry is [string, string] => entry !== false);
    for (const [field, message] of found) this.refused.push({ path: `${record.path}.${field}`, message });
    if (found.length > 0) return;
    if (stored) this.kept[list]++;
    else (this.create[list] as unknown[]).push(record);
  }

  full(): boolean {
    return this.refused.length >= IMPORT_PROBLEM_LIMIT;
  }
}

async function planMerchants(db: Executor, file: ImportFile, planner: Planner): Promise<void> {
  const stored = await imports.merchantsNamed(db, file.merchants.map((m) => m.id), file.merchants.map((m) => m.appid));
  const byId = new Map(stored.map((row) => [row.id, row]));
  const byAppid = new Map(stored.map((row) => [row.appid, row]));
  for (const merchant of file.merchants) {
    const same = byId.get(merchant.id);
    const appidOwner = byAppid.get(merchant.appid);
    planner.decide('merchants', merchant, same !== undefined, [
      same !== undefined && same.appid !== merchant.appid && ['appid', `merchant ${merchant.id} is stored with another Appid (${same.appid})`],
      same !== undefined && same.app_secret_hash !== merchant.app_secret_hash && ['app_secret', `merchant ${merchant.id} is stored with another AppSecret`],
      appidOwner !== undefined && appidOwner.id !== merchant.id && ['appid', `Appid ${merchant.appid} is stored for merchant ${appidOwner.id}`],
    ]);
  }
}

async function planMachines(db: Executor, file: ImportFile, planner: Planner): Promise<void> {
  const stored = await imports.machinesNamed(db, file.machines.map((m) => m.id), file.machines.map((m) => m.machine_no));
  const byId = new Map(stored.map((row) => [row.id, row]));
  const byNumber = new Map(stored.map((row) => [row.machine_no, row]));
  for (const machine of file.machines) {
    const same = byId.get(machine.id);
    const numberHolder = byNumber.get(machine.machine_no);
    planner.decide('machines', machine, same !== undefined, [
      same !== undefined && same.machine_no !== machine.machine_no && ['machine_no', `machine id ${machine.id} is stored as machine_no ${same.machine_no}`],
      same !== undefined && same.merchant_id !== machine.merchant_id && ['merchant_id', `machine ${machine.machine_no} is stored for merchant ${same.merchant_id}`],
      same !== undefined && same.mqtt_password_hash !== machine.mqtt_password_hash && ['mqtt_password', `machine ${machine.machine_no} is stored with another MQTT password`],
      numberHolder !== undefined &&
        numberHolder.id !== machine.id && ['machine_no', `machine_no ${machine.machine_no} is stored as machine id ${numberHolder.id} of merchant ${numberHolder.merchant_id}`],
    ]);
  }
}

async function planProducts(db: Executor, file: ImportFile, planner: Planner, machineIdOf: Map<string, number>): Promise<void> {
  const stored = new Map((await imports.productsWithIds(db, file.products.map((p) => p.id))).map((row) => [row.id, row]));
  for (const product of file.products) {
    const same = stored.get(product.id);
    planner.decide('products', product, same !== undefined, [
      same !== undefined && same.machine_id !== machineIdOf.get(product.machine_no) && ['id', `product ${product.id} is stored on another machine (id ${same.machine_id})`],
    ]);
  }
}

async function planCodes(db: Executor, file: ImportFile, planner: Planner, machineIdOf: Map<string, number>): Promise<void> {
  const stored = new Map((await imports.codesWithIds(db, file.pickup_codes.map((c) => c.id))).map((row) => [row.id, row]));
  // Only machines stored before may hold UNUSED codes the file's new ones could clash with.
  const keptMachineIds = file.machines.filter((machine) => !planner.create.machines.includes(machine)).map((machine) => machine.id);
  const live = new Map((await imports.unusedCodesOn(db, keptMachineIds)).map((row) => [`${row.machine_id} ${row.code}`, row.id]));
  for (const code of file.pickup_codes) {
    if (planner.full()) return;
    const same = stored.get(code.id);
    const machineId = machineIdOf.get(code.machine_no);
    const liveHolder = code.status === 'UNUSED' && same === undefined ? live.get(`${machineId} ${code.code}`) : undefined;
    planner.decide('pickup_codes', code, same !== undefined, [
      same !== undefined && same.code !== code.code && ['code', `pickup code ${code.id} is stored with another code`],
      same !== undefined && same.machine_id !== machineId && ['machine_no', `pickup code ${code.id} is stored on another machine (id ${same.machine_id})`],
      same !== undefined && same.product_id !== code.product_id && ['product_id', `pickup code ${code.id} is stored for product ${same.product_id}`],
      liveHolder !== undefined && ['code', `the machine holds this code already, UNUSED, as pickup code ${liveHolder}`],
    ]);
  }
}

/** Compares the file with the store (read on `db`, the import's own transaction unless a dry run). */
export async function planImport(db: Executor, file: ImportFile): Promise<PlannedImport> {
  const planner = new Planner();
  const machineIdOf = new Map(file.machines.map((machine) => [machine.machine_no, machine.id]));
  await planMerchants(db, file, planner);
  await planMachines(db, file, planner);
  await planProducts(db, file, planner, machineIdOf);
  await planCodes(db, file, planner, machineIdOf);
  return { create: planner.create, kept: planner.kept, refused: planner.refused.slice(0, IMPORT_PROBLEM_LIMIT) };
}
