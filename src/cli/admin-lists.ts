/**
 * `vendcloud merchant list`, `machine list` and `product list`: what the operator's other
 * commands made, as tables (times in the platform zone, named) or one JSON line with --json.
 */
import type { Command } from 'commander';
import { listMachines, listMerchants, listProducts } from '../service/directory.js';
import { DEFAULT_TIME_ZONE } from '../protocol/time.js';
import { withStore } from './admin.js';
import { emit, parseWholeNumber, table, timeColumn } from './output.js';

interface ListFlags {
  db?: string;
  json?: boolean;
  timeZone: string;
}

const yesNo = (flag: boolean) => (flag ? 'yes' : 'no');

/** The group's `list` subcommand with the options every list shares. */
function listCommand(program: Command, group: string, description: string): Command {
  const parent = program.commands.find((command) => command.name() === group);
  if (!parent) throw new Error(`no command group ${group}`);
  return parent
    .command('list')
    .description(description)
    .option('--db <path>', 'SQLite file or postgres:// URL (env VENDCLOUD_DB)')
    .option('--time-zone <zone>', 'the platform time zone times are shown in', process.env.VENDCLOUD_TIME_ZONE ?? DEFAULT_TIME_ZONE)
    .option('--json', 'print one JSON line');
}

export function registerAdminLists(program: Command): void {
  listCommand(program, 'merchant', 'list the merchants (ids, Appids, machines; never a secret)').action(async (flags: ListFlags) => {
    const found = await withStore(flags.db, (store) => listMerchants(store.db, flags.timeZone));
    emit(!!flags.json, found, () =>
      found.length === 0
        ? '(no merchants)'
        : table(
            ['MERCHANT_ID', 'NAME', 'APPID', 'MACHINES', 'VERIFIED', timeColumn('CREATED', flags.timeZone), 'WEBHOOK'],
            found.map((m) => [String(m.merchant_id), m.name, m.appid, String(m.machines), yesNo(m.verified), m.created_at ?? '-', m.webhook_url ?? '-']),
          ),
    );
  });

  listCommand(program, 'machine', 'list the machines, all or one merchant’s')
    .option('--merchant <merchant_id>', 'only this merchant’s machines', parseWholeNumber(1))
    .action(async (flags: ListFlags & { merchant?: number }) => {
      const found = await withStore(flags.db, (store) => listMachines(store.db, flags.timeZone, flags.merchant));
      emit(!!flags.json, found, () =>
        found.length === 0
          ? '(no machines)'
          : table(
              ['MACHINE_NO', 'MERCHANT_ID', 'NAME', 'OPERATING', 'PICKUP_CODES', 'ONLINE', timeColumn('LAST_SEEN', flags.timeZone)],
              found.map((m) => [m.machine_no, String(m.merchant_id), m.name, yesNo(m.operating), yesNo(m.pickup_codes), yesNo(m.online), m.last_seen_at ?? 'never']),
            ),
      );
    });

  listCommand(program, 'product', 'list a machine’s products with their stock')
    .requiredOption('--machine-no <digits>', 'machine number')
    .action(async (flags: ListFlags & { machineNo: string }) => {
      const found = await withStore(flags.db, (store) => listProducts(store.db, flags.machineNo));
      emit(!!flags.json, found, () =>
        found.length === 0
          ? '(no products)'
          : table(
              ['ID', 'NAME', 'PRICE', 'STOCK', 'CAPACITY', 'ON_SALE', 'CABINET', 'CHANNEL'],
              found.map((p) => [String(p.id), p.name, p.price, String(p.inventory), String(p.capacity), yesNo(p.on_sale), p.cabinet, p.channel]),
            ),
      );
    });
}
