/**
 * An import file (docs/import.md) as a whole: its four lists read record by record
 * (import-records.ts), then what holds between records: ids and numbers unique, each
 * machine's merchant, each product's machine and each code's product in the file, no two
 * UNUSED codes alike on one machine (the keypad must name one live code). Pure: what the
 * store already holds is the service's to compare (service/import.ts).
 */
import {
  readCode,
  readMachine,
  readMerchant,
  readProduct,
  RecordReader,
  type CodeRecord,
  type ImportProblem,
  type MachineRecord,
  type MerchantRecord,
  type ProductRecord,
} from './import-records.js';

export type { CodeRecord, ImportProblem, MachineRecord, MerchantRecord, ProductRecord };

/** How many problems a refusal lists: enough to fix a file in a few rounds, short enough to read. */
export const IMPORT_PROBLEM_LIMIT = 50;

export interface ImportFile {
  merchants: MerchantRecord[];
  machines: MachineRecord[];
  products: ProductRecord[];
  pickup_codes: CodeRecord[];
}

export type ImportReading = { file: ImportFile; problems?: undefined } | { problems: ImportProblem[]; file?: undefined };

type ListName = keyof ImportFile;
const LISTS: readonly ListName[] = ['merchants', 'machines', 'products', 'pickup_codes'];

function listOf(document: Record<string, unknown>, name: ListName, problems: ImportProblem[]): Array<Record<string, unknown>> {
  const list = document[name];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    problems.push({ path: `$.${name}`, message: 'must be an array' });
    return [];
  }
  return list.map((record, index) => {
    if (typeof record === 'object' && record !== null && !Array.isArray(record)) return record as Record<string, unknown>;
    problems.push({ path: `$.${name}[${index}]`, message: 'must be an object' });
    return {};
  });
}

/** Reads a parsed JSON document; the file, or its problems (at most IMPORT_PROBLEM_LIMIT). */
export function readImportFile(document: unknown): ImportReading {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return { problems: [{ path: '$', message: 'must be an object with merchants, machines, products and pickup_codes' }] };
  }
  const problems: ImportProblem[] = [];
  const lists = Object.fromEntries(LISTS.map((name) => [name, listOf(document as Record<string, unknown>, name, problems)])) as Record<ListName, Array<Record<string, unknown>>>;
  const reader = (name: ListName, index: number) => new RecordReader(`$.${name}[${index}]`, lists[name][index]!, problems);
  const merchants = lists.merchants.map((_, index) => readMerchant(reader('merchants', index)));
  const machines = lists.machines.map((_, index) => readMachine(reader('machines', index)));
  const zones = new Map(machines.map((machine) => [machine.machine_no, machine.time_zone]));
  const products = lists.products.map((_, index) => readProduct(reader('products', index)));
  const codes: CodeRecord[] = [];
  for (let index = 0; index < lists.pickup_codes.length && problems.length < IMPORT_PROBLEM_LIMIT; index++) {
    codes.push(readCode(reader('pickup_codes', index), (machineNo) => zones.get(machineNo)));
  }
  const file = { merchants, machines, products, pickup_codes: codes };
  if (problems.length === 0) problems.push(...relationProblems(file));
  return problems.length > 0 ? { problems: problems.slice(0, IMPORT_PROBLEM_LIMIT) } : { file };
}

/** Notes a record whose key was seen before in the list. */
function uniqueBy<T extends { path: string }>(records: T[], key: (record: T) => string | number, field: string, problems: ImportProblem[]): void {
  const seen = new Map<string | number, string>();
  for (const record of records) {
    const value = key(record);
    const first = seen.get(value);
    if (first !== undefined) problems.push({ path: `${record.path}.${field}`, message: `${value} is also at ${first}` });
    else seen.set(value, record.path);
  }
}

function relationProblems(file: ImportFile): ImportProblem[] {
  const problems: ImportProblem[] = [];
  uniqueBy(file.merchants, (merchant) => merchant.id, 'merchant_id', problems);
  uniqueBy(file.merchants, (merchant) => merchant.appid, 'appid', problems);
  uniqueBy(file.machines, (machine) => machine.id, 'id', problems);
  uniqueBy(file.machines, (machine) => machine.machine_no, 'machine_no', problems);
  uniqueBy(file.products, (product) => product.id, 'id', problems);
  uniqueBy(file.pickup_codes, (code) => code.id, 'id', problems);
  uniqueBy(
    file.pickup_codes.filter((code) => code.status === 'UNUSED'),
    (code) => `${code.machine_no} ${code.code}`,
    'code',
    problems,
  );
  const merchantIds = new Set(file.merchants.map((merchant) => merchant.id));
  for (const machine of file.machines) {
    if (!merchantIds.has(machine.merchant_id)) problems.push({ path: `${machine.path}.merchant_id`, message: `names no merchant of this file: ${machine.merchant_id}` });
  }
  const machineNos = new Set(file.machines.map((machine) => machine.machine_no));
  for (const product of file.products) {
    if (!machineNos.has(product.machine_no)) problems.push({ path: `${product.path}.machine_no`, message: `names no machine of this file: ${product.machine_no}` });
  }
  const machineOfProduct = new Map(file.products.map((product) => [product.id, product.machine_no]));
  for (const code of file.pickup_codes) {
    if (problems.length >= IMPORT_PROBLEM_LIMIT) break;
    const productMachine = machineOfProduct.get(code.product_id);
    if (productMachine === undefined) problems.push({ path: `${code.path}.product_id`, message: `names no product of this file: ${code.product_id}` });
    else if (productMachine !== code.machine_no) problems.push({ path: `${code.path}.product_id`, message: `product ${code.product_id} is on machine ${productMachine}, not ${code.machine_no}` });
  }
  return problems;
}
