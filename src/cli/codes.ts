/** `vendcloud codes …`: the merchant's pickup codes through the SDK, one function per subcommand. */
import { InvalidArgumentError, type Command } from 'commander';
import { CODE_STATUS_FILTERS } from '../protocol/code-status.js';
import { confirmed, machineOption, merchantAction, wallTime, withConnection, type ConnectionFlags } from './merchant.js';
import { counted, parseWholeNumber, UsageError } from './output.js';

/** A status as the API spells it (USED), whatever case a person typed it in (used). */
function codeStatusFilter(value: string): (typeof CODE_STATUS_FILTERS)[number] {
  const status = CODE_STATUS_FILTERS.find((known) => known === value.toUpperCase());
  if (!status) throw new InvalidArgumentError(`must be one of ${CODE_STATUS_FILTERS.join(', ')}`);
  return status;
}

/** `--ids 1,2,3`: positive ids, comma-separated. */
function idList(value: string): number[] {
  const ids = value.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^[1-9][0-9]*$/.test(id))) throw new InvalidArgumentError('must be ids separated by commas, e.g. 1,2,3');
  return ids.map(Number);
}

/** codes create */
function registerCreate(codes: Command): void {
  withConnection(codes.command('create').description('create pickup codes for one product'))
    .requiredOption(...machineOption)
    .requiredOption('--product <id>', 'product id', parseWholeNumber(1))
    .option('--count <n>', 'how many codes (default 1)', parseWholeNumber(1))
    .option('--length <digits>', 'digits per code, 6-10 (default 6)', parseWholeNumber(1))
    .option('--expires <time>', 'expiry "YYYY-MM-DD HH:mm:ss" in the platform time zone (default: never)', wallTime)
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; product: number; count?: number; length?: number; expires?: string }, show) => {
        const created = await client.createPickupCodes(flags.machineNo, {
          productId: flags.product,
          ...(flags.count !== undefined ? { count: flags.count } : {}),
          ...(flags.length !== undefined ? { codeLength: flags.length } : {}),
          ...(flags.expires !== undefined ? { expiredAt: flags.expires } : {}),
        });
        return { value: created, human: () => `created ${counted(created.length, 'pickup code')}\n${show.codes(created)}` };
      }),
    );
}

/** codes create-all */
function registerCreateAll(codes: Command): void {
  withConnection(codes.command('create-all').description('top every on-sale product up to one code per item in stock'))
    .requiredOption(...machineOption)
    .option('--length <digits>', 'digits per code, 6-10 (default 6)', parseWholeNumber(1))
    .option('--expires <time>', 'expiry "YYYY-MM-DD HH:mm:ss" in the platform time zone (default: never)', wallTime)
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; length?: number; expires?: string }, show) => {
        const created = await client.createPickupCodesForAllProducts(flags.machineNo, {
          ...(flags.length !== undefined ? { codeLength: flags.length } : {}),
          ...(flags.expires !== undefined ? { expiredAt: flags.expires } : {}),
        });
        return { value: created, human: () => `created ${counted(created.length, 'pickup code')}\n${show.codes(created)}` };
      }),
    );
}

/** codes list */
function registerList(codes: Command): void {
  withConnection(codes.command('list').description("list a machine's pickup codes"))
    .requiredOption(...machineOption)
    .option('--product <id>', 'only this product', parseWholeNumber(1))
    .option('--status <status>', `which codes: ${CODE_STATUS_FILTERS.join(', ')}, in any case (default UNUSED)`, codeStatusFilter)
    .option('--page <n>', 'page', parseWholeNumber(1))
    .option('--per-page <n>', 'codes per page (max 100)', parseWholeNumber(1))
    .action(
      merchantAction(
        async (client, flags: ConnectionFlags & { machineNo: string; product?: number; status?: (typeof CODE_STATUS_FILTERS)[number]; page?: number; perPage?: number }, show) => {
          // One product's live codes is the original's query; anything else needs the extension.
          if (flags.product !== undefined && flags.status === undefined && flags.page === undefined && flags.perPage === undefined) {
            const live = await client.listPickupCodes(flags.machineNo, flags.product);
            return { value: live, human: () => show.codes(live) };
          }
          const page = await client.queryPickupCodes(flags.machineNo, {
            ...(flags.product !== undefined ? { productId: flags.product } : {}),
            ...(flags.status !== undefined ? { status: flags.status } : {}),
            ...(flags.page !== undefined ? { page: flags.page } : {}),
            ...(flags.perPage !== undefined ? { perPage: flags.perPage } : {}),
          });
          return {
            value: page,
            human: () => `${show.codes(page.data)}\npage ${page.currentPage}/${page.lastPage}, ${counted(page.total, 'code')}`,
          };
        },
      ),
    );
}

/** codes cancel: one code, or a list of them */
function registerCancel(codes: Command): void {
  withConnection(codes.command('cancel').description('cancel one pickup code (--id), or several, all or none (--ids, extension)'))
    .requiredOption(...machineOption)
    .option('--id <id>', 'pickup code id', parseWholeNumber(1))
    .option('--ids <list>', 'pickup code ids, comma-separated: all are cancelled or none', idList)
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; id?: number; ids?: number[] }) => {
        if ((flags.id === undefined) === (flags.ids === undefined)) throw new UsageError('give either --id or --ids');
        if (flags.ids) {
          const count = await client.cancelPickupCodes(flags.machineNo, flags.ids);
          return { value: { count }, human: () => `cancelled ${counted(count, 'pickup code')} of machine ${flags.machineNo}` };
        }
        await client.cancelPickupCode(flags.machineNo, flags.id!);
        return { value: { cancelled: flags.id }, human: () => `cancelled pickup code ${flags.id}` };
      }),
    );
}

/** codes cancel-all */
function registerCancelAll(codes: Command): void {
  withConnection(codes.command('cancel-all').description('cancel every unused pickup code of a machine'))
    .requiredOption(...machineOption)
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; yes?: boolean }) => {
        if (!flags.yes) {
          if (!process.stdin.isTTY) throw new UsageError('cancel-all needs --yes when stdin is not a terminal');
          if (!(await confirmed(`Cancel every unused pickup code of machine ${flags.machineNo}? [y/N] `))) {
            process.stderr.write('nothing cancelled\n');
            return undefined;
          }
        }
        const count = await client.cancelAllPickupCodes(flags.machineNo);
        return { value: { count }, human: () => `cancelled ${counted(count, 'pickup code')} of machine ${flags.machineNo}` };
      }),
    );
}

/** codes cancel-product */
function registerCancelProduct(codes: Command): void {
  withConnection(codes.command('cancel-product').description("cancel every live pickup code of one product (extension)"))
    .requiredOption(...machineOption)
    .requiredOption('--product <id>', 'product id', parseWholeNumber(1))
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; product: number }) => {
        const count = await client.cancelProductPickupCodes(flags.machineNo, flags.product);
        return { value: { count }, human: () => `cancelled ${counted(count, 'pickup code')} of product ${flags.product}` };
      }),
    );
}

/** codes consume */
function registerConsume(codes: Command): void {
  withConnection(codes.command('consume').description('spend a pickup code through the API (creates a PICKUPCODE order)'))
    .requiredOption(...machineOption)
    .requiredOption('--product <id>', 'product id', parseWholeNumber(1))
    .requiredOption('--code <digits>', 'the pickup code')
    .requiredOption('--trade-id <id>', 'your order number, 20-32 letters, digits, _ or -')
    .requiredOption('--notify-url <url>', 'http(s) URL to notify')
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; product: number; code: string; tradeId: string; notifyUrl: string }, show) => {
        const order = await client.consumePickupCode(flags.machineNo, {
          code: flags.code,
          productId: flags.product,
          tradeId: flags.tradeId,
          notifyUrl: flags.notifyUrl,
        });
        return { value: order, human: () => show.order(order) };
      }),
    );
}

export function registerCodeCommands(program: Command): void {
  const codes = program.command('codes').description('create, list, cancel and consume pickup codes');
  for (const register of [registerCreate, registerCreateAll, registerList, registerCancel, registerCancelAll, registerCancelProduct, registerConsume]) register(codes);
}
