/**
 * Moving in from the original platform (docs/import.md): a whole file in one transaction,
 * ids kept, or nothing. The file is read and checked first (domain/import-file.ts), then
 * compared with the store (import-plan.ts); a contradiction refuses the whole file.
 */
import type { ImportFile, ImportProblem } from '../domain/import-file.js';
import type { CodeRecord, MachineRecord, MerchantRecord, ProductRecord } from '../domain/import-records.js';
import { syncMessage } from '../protocol/machine-messages.js';
import { nowSeconds } from '../protocol/time.js';
import type { Executor } from '../store/executor.js';
import * as imports from '../store/repositories/imports.repository.js';
import * as outbox from '../store/repositories/outbox.repository.js';
import * as products from '../store/repositories/products.repository.js';
import type { Dialect } from '../store/migrations.js';
import type { Store, Work } from '../store/store.js';
import { planImport, type ImportTally } from './import-plan.js';
import { authorAt, runChange } from './runner.js';

type ImportPlan = Awaited<ReturnType<typeof planImport>>;

export type { ImportTally };

/** The file contradicts the store: nothing was written. */
export class ImportRefused extends Error {
  override name = 'ImportRefused';
  constructor(readonly problems: ImportProblem[]) {
    super(`the file contradicts what is stored (${problems.length} problem${problems.length === 1 ? '' : 's'})`);
  }
}

export interface ImportOutcome {
  created: ImportTally;
  /** Stored already, the same: a second import of a file keeps everything and creates nothing. */
  kept: ImportTally;
  /** True when nothing was written because it was asked not to be. */
  dry_run: boolean;
}

export interface ImportOptions {
  dryRun?: boolean;
  /** Hears how many pickup codes are in, of how many, as the inserts go. */
  progress?: (inserted: number, total: number) => void;
}

const tally = (plan: { merchants: unknown[]; machines: unknown[]; products: unknown[]; pickup_codes: unknown[] }): ImportTally => ({
  merchants: plan.merchants.length,
  machines: plan.machines.length,
  products: plan.products.length,
  pickup_codes: plan.pickup_codes.length,
});

/** Imports a checked file; throws ImportRefused (nothing written) when it contradicts the store. */
export async function importFile(store: Store, file: ImportFile, options: ImportOptions = {}): Promise<ImportOutcome> {
  const outcome = (plan: ImportPlan): ImportOutcome => ({ created: tally(plan.create), kept: plan.kept, dry_run: options.dryRun === true });
  const checked = async (db: Executor): Promise<ImportPlan> => {
    const plan = await planImport(db, file);
    if (plan.refused.length > 0) throw new ImportRefused(plan.refused);
    return plan;
  };
  if (options.dryRun) return outcome(await checked(store.db));
  return runChange(store, authorAt('import', nowSeconds()), async (work) => {
    const plan = await checked(work.trx);
    await create(work, store.dialect, plan.create, file.machines, options.progress);
    return outcome(plan);
  });
}

/**
 * Inserts the records to create. A product's or a code's machine may be one the store kept
 * rather than one created now: `machines` are all the file's, whose ids are the stored ones.
 */
async function create(work: Work, dialect: Dialect, plan: ImportFile, machines: MachineRecord[], progress: ImportOptions['progress']): Promise<void> {
  const { trx: db, now } = work;
  const machineOf = new Map(machines.map((machine) => [machine.machine_no, machine]));
  await imports.insertMerchants(db, plan.merchants.map((merchant) => merchantRow(merchant, now)));
  await imports.insertMachines(db, plan.machines.map((machine) => machineRow(machine, now)));
  const categoryIds = await categoriesOf(db, plan.products, machineOf);
  await imports.insertProducts(db, plan.products.map((product) => productRow(product, machineOf.get(product.machine_no)!, categoryIds, now)));
  const rows = plan.pickup_codes.map((code) => codeRow(code, machineOf.get(code.machine_no)!.id));
  await imports.insertCodes(db, rows, progress && ((inserted) => progress(inserted, rows.length)));
  await imports.moveIdSequencesAboveKeptIds(db, dialect);
  // A machine asks for its whole list when it connects; one connected already hears of its
  // new codes by the same sync, in this transaction like every push.
  for (const machineId of new Set(rows.map((row) => row.machine_id))) await outbox.enqueue(work, machineId, [syncMessage()], now);
}

function merchantRow(merchant: MerchantRecord, now: number) {
  const { id, name, appid, app_secret_hash, verified, require_nonce, webhook_url, webhook_secret } = merchant;
  return { id, name, appid, app_secret_hash, verified, require_nonce, webhook_url, webhook_secret, expires_at: null, created_at: now };
}

function machineRow(machine: MachineRecord, now: number) {
  const { path: _path, created_at, ...columns } = machine;
  return { ...columns, created_at: created_at ?? now };
}

/** Each product's category, found or made by title for its machine's merchant. */
async function categoriesOf(db: Executor, created: ProductRecord[], machineOf: Map<string, MachineRecord>): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const product of created) {
    if (product.category === null) continue;
    const merchantId = machineOf.get(product.machine_no)!.merchant_id;
    const key = `${merchantId} ${product.category}`;
    if (!ids.has(key)) ids.set(key, await products.categoryIdFor(db, merchantId, product.category));
  }
  return ids;
}

function productRow(product: ProductRecord, machine: MachineRecord, categoryIds: Map<string, number>, now: number) {
  const { path: _path, machine_no: _machineNo, category, ...columns } = product;
  return { ...columns, machine_id: machine.id, category_id: category === null ? null : categoryIds.get(`${machine.merchant_id} ${category}`)!, created_at: now };
}

/** Written out field by field: object rest over 100,000 codes cost half a second (the bench's profile). */
function codeRow(code: CodeRecord, machineId: number) {
  return {
    id: code.id,
    machine_id: machineId,
    product_id: code.product_id,
    code: code.code,
    status: code.status,
    quantity: 1,
    expired_at: code.expired_at,
    created_at: code.created_at,
    used_at: code.used_at,
    order_id: null,
    cancelled_at: code.cancelled_at,
    cancelled_by: code.status === 'CANCELLED' ? 'import' : null,
    cancel_request_id: null,
  };
}
