/** Machines: the merchant's fleet, the link's view of a machine, and the operator's changes. */
import type { Executor } from '../executor.js';
import { preparedQuery } from '../prepared.js';
import type { Flag, Machine } from '../schema.js';

/** What a change needs to know of the machine it touches. */
export type MachineRef = Pick<Machine, 'id' | 'machine_no' | 'time_zone' | 'merchant_id' | 'pickup_codes_enabled' | 'operating'>;

/** A machine as the link addresses it: its messages are signed with its merchant's Appid. */
export type LinkedMachine = MachineRef & { appid: string } & LinkProfileFacts;

/** What decides a machine's link profile (domain/link-profiles.ts), and when it last spoke. */
export interface LinkProfileFacts {
  link_mode: string;
  link_extended: Flag;
  is_online: Flag;
  last_seen_at: number | null;
}

const ownedMachine = preparedQuery((db, machineNo: string, merchantId: number) =>
  db
    .selectFrom('machines')
    .select(['id', 'machine_no', 'time_zone', 'merchant_id', 'pickup_codes_enabled', 'operating'])
    .where('machine_no', '=', machineNo)
    .where('merchant_id', '=', merchantId),
);

/** The merchant's machine with that number; another merchant's machine is not found. */
export async function findOwned(db: Executor, merchantId: number, machineNo: string): Promise<MachineRef | undefined> {
  return (await ownedMachine(db, machineNo, merchantId))[0];
}

export function listOfMerchant(db: Executor, merchantId: number): Promise<Machine[]> {
  return db.selectFrom('machines').selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute();
}

/** Every machine (or a merchant's) as the operator lists them, by id; no password hash. */
export function listForOperator(db: Executor, merchantId?: number) {
  let query = db
    .selectFrom('machines')
    .select(['id', 'machine_no', 'merchant_id', 'name', 'operating', 'pickup_codes_enabled', 'is_online', 'last_seen_at', 'time_zone']);
  if (merchantId !== undefined) query = query.where('merchant_id', '=', merchantId);
  return query.orderBy('id').execute();
}

export function findOfMerchant(db: Executor, merchantId: number, machineNo: string): Promise<Machine | undefined> {
  return db.selectFrom('machines').selectAll().where('machine_no', '=', machineNo).where('merchant_id', '=', merchantId).executeTakeFirst();
}

/** The MQTT password digest of a machine that may log in (not disabled). */
export async function passwordHashOf(db: Executor, machineNo: string): Promise<string | undefined> {
  return (await db.selectFrom('machines').select('mqtt_password_hash').where('machine_no', '=', machineNo).where('disabled', '=', 0).executeTakeFirst())?.mqtt_password_hash;
}

/** The machines whose credentials changed at or after `since` (their live connections are closed). */
export async function numbersChangedSince(db: Executor, since: number): Promise<string[]> {
  const rows = await db.selectFrom('machines').select('machine_no').where('credentials_changed_at', '>=', since).execute();
  return rows.map((row) => row.machine_no);
}

export function findLinked(db: Executor, machineNo: string): Promise<LinkedMachine | undefined> {
  return db
    .selectFrom('machines')
    .innerJoin('merchants', 'merchants.id', 'machines.merchant_id')
    .select([
      'machines.id',
      'machines.machine_no',
      'machines.time_zone',
      'machines.merchant_id',
      'machines.pickup_codes_enabled',
      'machines.operating',
      'machines.link_mode',
      'machines.link_extended',
      'machines.is_online',
      'machines.last_seen_at',
      'merchants.appid',
    ])
    .where('machines.machine_no', '=', machineNo)
    .executeTakeFirst();
}

export function findLinkedById(db: Executor, machineId: number): Promise<Pick<LinkedMachine, 'id' | 'machine_no' | 'time_zone' | 'appid' | 'link_mode' | 'link_extended'> | undefined> {
  return db
    .selectFrom('machines')
    .innerJoin('merchants', 'merchants.id', 'machines.merchant_id')
    .select(['machines.id', 'machines.machine_no', 'machines.time_zone', 'machines.link_mode', 'machines.link_extended', 'merchants.appid'])
    .where('machines.id', '=', machineId)
    .executeTakeFirst();
}

/** Whether the machine is online now (its link said so last). */
export async function isOnline(db: Executor, machineId: number): Promise<boolean> {
  return (await db.selectFrom('machines').select('is_online').where('id', '=', machineId).executeTakeFirst())?.is_online === 1;
}

export interface NetworkFacts {
  network_type: string;
  network_rssi: string;
}

export async function markSeen(db: Executor, machineId: number, now: number, network?: NetworkFacts): Promise<void> {
  await db
    .updateTable('machines')
    .set({ is_online: 1, last_seen_at: now, ...network })
    .where('id', '=', machineId)
    .execute();
}

/**
 * Marks the machines silent since before `silentSince` offline and returns them. One
 * conditional UPDATE, so any number of instances may run it at once and each machine is
 * returned (its machine.offline event queued) by one of them.
 */
export function markSilentOffline(db: Executor, silentSince: number): Promise<PresenceChange[]> {
  return db
    .updateTable('machines')
    .set({ is_online: 0 })
    .where('is_online', '=', 1)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', silentSince)]))
    .returning(['id', 'merchant_id', 'machine_no'])
    .execute();
}

/** A machine whose online state changed. */
export type PresenceChange = Pick<Machine, 'id' | 'merchant_id' | 'machine_no'>;

/** Sets the machine's online state; true when it changed (the conditional UPDATE is the referee between instances). */
export async function switchOnline(db: Executor, machineId: number, online: Flag): Promise<boolean> {
  const result = await db
    .updateTable('machines')
    .set({ is_online: online })
    .where('id', '=', machineId)
    .where('is_online', '=', online === 1 ? 0 : 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The machine said it speaks vendcloud's extensions (kept even while the operator overrides the profile). */
export async function markExtended(db: Executor, machineId: number): Promise<void> {
  await db.updateTable('machines').set({ link_extended: 1 }).where('id', '=', machineId).where('link_extended', '=', 0).execute();
}

export async function listNumbers(db: Executor): Promise<string[]> {
  return (await db.selectFrom('machines').select('machine_no').orderBy('machine_no').execute()).map((row) => row.machine_no);
}

export function findByNumber(db: Executor, machineNo: string): Promise<{ id: number; merchant_id: number } | undefined> {
  return db.selectFrom('machines').select(['id', 'merchant_id']).where('machine_no', '=', machineNo).executeTakeFirst();
}

export interface NewMachineRow {
  merchant_id: number;
  machine_no: string;
  name: string;
  address: string;
  pickup_codes_enabled: Flag;
  time_zone: string;
  mqtt_password_hash: string;
  created_at: number;
}

export async function insert(db: Executor, machine: NewMachineRow): Promise<number> {
  return (await db.insertInto('machines').values(machine).returning('id').executeTakeFirstOrThrow()).id;
}

export interface MachineSettings {
  pickup_codes_enabled?: Flag;
  operating?: Flag;
  mqtt_password_hash?: string;
  disabled?: Flag;
  credentials_changed_at?: number;
  /** The operator's choice of link profile (domain/link-profiles.ts). */
  link_mode?: string;
}

/**
 * The operator's change of a machine; false when there is no such machine. It stamps
 * `changed_at`, whatever changed: running instances drop their cached MachineRef of it
 * within a second (service/machine-directory.ts). The one write of a MachineRef field on an
 * existing machine (time zone, merchant and number are set once, at its creation); presence
 * (`markSeen`, `switchOnline`…) is not one and does not stamp.
 */
export async function update(db: Executor, machineNo: string, settings: MachineSettings, now: number): Promise<boolean> {
  const result = await db
    .updateTable('machines')
    .set({ ...settings, changed_at: now })
    .where('machine_no', '=', machineNo)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The merchants' machines changed at or after `since` (`update`'s stamp), for the cache to drop. */
export function changedSince(db: Executor, since: number): Promise<Array<Pick<Machine, 'merchant_id' | 'machine_no'>>> {
  return db.selectFrom('machines').select(['merchant_id', 'machine_no']).where('changed_at', '>=', since).execute();
}

/** The merchant's machines (or the one numbered `machineNo`) as the console lists them, ascending id. */
export function overviewOfMerchant(db: Executor, merchantId: number, machineNo?: string) {
  let query = db
    .selectFrom('machines')
    .select(['id', 'machine_no', 'name', 'is_online', 'operating', 'pickup_codes_enabled', 'last_seen_at', 'network_type', 'network_rssi', 'link_mode', 'link_extended'])
    .where('merchant_id', '=', merchantId);
  if (machineNo !== undefined) query = query.where('machine_no', '=', machineNo);
  return query.orderBy('id').execute();
}

/** How many machines are online (the metrics): one scan of the machines table, as small as the fleet. */
export async function countOnline(db: Executor): Promise<number> {
  const row = await db.selectFrom('machines').select((eb) => eb.fn.countAll<number>().as('count')).where('is_online', '=', 1).executeTakeFirst();
  return Number(row?.count ?? 0);
}
