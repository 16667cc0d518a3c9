/**
 * The merchant's commands: the Open API from a terminal, through the SDK. Each command
 * reads its arguments, makes one or two SDK calls and prints the result; credentials come
 * from flags or the VENDCLOUD_* environment variables.
 */
import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { NetworkError, OpenApiError, VendcloudClient, type PickupCode, type PickupOrder } from '../client/index.js';
import { isMachineNo } from '../domain/fields.js';
import { ErrorCode } from '../protocol/errors.js';
import { DEFAULT_TIME_ZONE, formatWallTime, parseWallTime } from '../protocol/time.js';
import { counted, emit, EXIT, fail, parseWholeNumber, table, timeColumn, UsageError } from './output.js';

export interface ConnectionFlags {
  url?: string;
  appid?: string;
  appSecret?: string;
  merchantId?: string;
  timeout?: number;
  timeZone: string;
  json?: boolean;
}

export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'server root URL, e.g. http://127.0.0.1:8080 (env VENDCLOUD_URL)')
    .option('--appid <appid>', 'Appid (env VENDCLOUD_APPID)')
    .option('--app-secret <secret>', 'AppSecret; prefer the env VENDCLOUD_APPSECRET, flags show in `ps`')
    .option('--merchant-id <id>', 'merchant id, the signing key (env VENDCLOUD_MERCHANT_ID)')
    .option('--timeout <ms>', 'per attempt, milliseconds', parseWholeNumber(1))
    .option('--time-zone <zone>', 'the platform time zone of the server', process.env.VENDCLOUD_TIME_ZONE ?? DEFAULT_TIME_ZONE)
    .option('--json', 'print one JSON line');
}

function clientFrom(flags: ConnectionFlags): VendcloudClient {
  const setting = (flag: string | undefined, env: string, name: string): string => {
    const value = flag ?? process.env[env];
    if (!value) throw new UsageError(`missing ${name}: give --${name} or set ${env}`);
    return value;
  };
  const options = {
    baseUrl: setting(flags.url, 'VENDCLOUD_URL', 'url'),
    appId: setting(flags.appid, 'VENDCLOUD_APPID', 'appid'),
    appSecret: setting(flags.appSecret, 'VENDCLOUD_APPSECRET', 'app-secret'),
    merchantId: setting(flags.merchantId, 'VENDCLOUD_MERCHANT_ID', 'merchant-id'),
    timeZone: flags.timeZone,
    ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
    // The opt-in strong signature (docs/security.md): from the environment only, never a flag (ps shows flags).
    ...(process.env.VENDCLOUD_SIGNING_SECRET ? { signingSecret: process.env.VENDCLOUD_SIGNING_SECRET } : {}),
  };
  try {
    return new VendcloudClient(options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** What a command prints: the value for --json, the text otherwise. */
interface Output {
  value: unknown;
  human: () => string;
}

/** Runs a command's SDK work and maps its outcome to output and exit code. */
export function merchantAction<F extends ConnectionFlags>(run: (client: VendcloudClient, flags: F, show: Show) => Promise<Output | undefined>) {
  return async (flags: F) => {
    try {
      const output = await run(clientFrom(flags), flags, new Show(flags.timeZone));
      if (output) emit(!!flags.json, output.value, output.human);
    } catch (error) {
      if (error instanceof UsageError) fail(error.message, EXIT.USAGE);
      if (error instanceof OpenApiError) {
        if (flags.json) {
          const { meaning, fix } = error.explanation;
          emit(true, { error: { code: error.code, message: error.message, meaning, fix, http_status: error.httpStatus, data: error.data, request_id: error.requestId } }, () => '');
        }
        const data = Object.keys(error.data).length > 0 ? ` ${JSON.stringify(error.data)}` : '';
        fail(
          `API error ${error.code} ${error.message}${data} (HTTP ${error.httpStatus}, request ${error.requestId ?? 'unknown'})\n` +
            `  what happened: ${error.explanation.meaning}\n  what to do: ${error.explanation.fix}`,
          EXIT.API_ERROR,
        );
      }
      if (error instanceof NetworkError) fail(`network error: ${error.message}`, EXIT.NETWORK);
      throw error;
    }
  };
}

/** How records read in a terminal: times in the platform zone, absent values as "-". */
export class Show {
  constructor(private readonly timeZone: string) {}

  time(date: Date | undefined): string {
    return date ? formatWallTime(date.getTime() / 1000, this.timeZone) : '-';
  }

  /** A time standing alone in a line: platform time with its zone named, as every table's times are. */
  at(date: Date | undefined): string {
    return date ? `${this.time(date)} (${this.timeZone})` : '-';
  }

  /** A table's time column, headed with the zone its times are in. */
  timeColumn(name: string): string {
    return timeColumn(name, this.timeZone);
  }

  codes(codes: PickupCode[]): string {
    if (codes.length === 0) return '(no pickup codes)';
    return table(
      ['ID', 'PRODUCT', 'CODE', 'STATUS', this.timeColumn('CREATED'), this.timeColumn('EXPIRES')],
      codes.map((c) => [String(c.id), String(c.productId), c.code, c.status, this.time(c.createdAt), c.expiredAt ? this.time(c.expiredAt) : 'never']),
    );
  }

  order(order: PickupOrder): string {
    const lines = [`order ${order.orderId}  ${order.status}  trade ${order.tradeId ?? '-'}  amount ${order.amount ?? '-'}  on ${this.time(order.date).slice(0, 10)}`];
    for (const record of order.records) lines.push(`  record ${record.id}: product ${record.productId} × ${record.quantity} at ${record.price ?? '-'} (${record.status ?? '-'})`);
    lines.push(`  pickup code ${order.pickupCodeId} is now USED`);
    return lines.join('\n');
  }
}

function machineNo(value: string): string {
  if (!isMachineNo(value)) throw new InvalidArgumentError('must be 8 or more digits');
  return value;
}

export function wallTime(value: string): string {
  if (parseWallTime(value) === undefined) throw new InvalidArgumentError('must be "YYYY-MM-DD HH:mm:ss"');
  return value;
}

export const machineOption = ['--machine-no <digits>', 'machine number', machineNo] as const;

/** A machine number no merchant has: asking for its overview reads nothing, but the request is signed. */
const NO_SUCH_MACHINE = '00000000';

/**
 * The headers-only ping proves the Appid and AppSecret, not the signing key: a wrong merchant
 * id would pass it and fail every real call with 10002. A signed read of a machine nobody has
 * proves the key too: the server checks the signature before it looks for the machine, so
 * its 30003 says the signature was right.
 */
async function checkSigningKey(client: VendcloudClient, merchantId: string | undefined): Promise<void> {
  try {
    await client.machinesOverview(NO_SUCH_MACHINE);
  } catch (error) {
    if (error instanceof OpenApiError && error.code === ErrorCode.MACHINE_NOT_FOUND) return;
    if (error instanceof OpenApiError && error.code === ErrorCode.SIGN_INVALID) {
      fail(
        `the Appid and AppSecret are right, but a signed request was refused (10002 sign is invalid): the signing key is the merchant id, and ${merchantId} is not this Appid's. Use the merchant_id printed with these credentials (--merchant-id or VENDCLOUD_MERCHANT_ID).`,
        EXIT.API_ERROR,
      );
    }
    throw error;
  }
}

export async function confirmed(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

export function registerMerchantCommands(program: Command): void {
  withConnection(program.command('ping').description('check the Open API credentials and the signing key (the merchant id)')).action(
    merchantAction(async (client, flags) => {
      const answer = await client.ping();
      const merchantId = flags.merchantId ?? process.env.VENDCLOUD_MERCHANT_ID;
      await checkSigningKey(client, merchantId);
      return {
        value: { data: answer, signature: 'ok' },
        human: () => `${answer} (${flags.url ?? process.env.VENDCLOUD_URL}); a signed request with merchant id ${merchantId} was accepted`,
      };
    }),
  );

  withConnection(program.command('machines').description("list the merchant's machines")).action(
    merchantAction(async (client, _flags, show) => {
      const machines = await client.listMachines();
      return {
        value: machines,
        human: () =>
          table(
            ['MACHINE_NO', 'NAME', 'ONLINE', 'OPERATING', show.timeColumn('CREATED'), 'ADDRESS'],
            machines.map((m) => [m.machineNo, m.machineName ?? '-', m.isOnline ? 'yes' : 'no', m.status ? 'yes' : 'no', show.time(m.createdAt), m.address ?? '-']),
          ),
      };
    }),
  );

  withConnection(program.command('products').description("list a machine's products"))
    .requiredOption(...machineOption)
    .option('--page <n>', 'page', parseWholeNumber(1))
    .option('--per-page <n>', 'products per page (max 100)', parseWholeNumber(1))
    .option('--category <id>', 'category id (0 = all)', parseWholeNumber(0))
    .option('--cabinet <name>', 'cabinet name (default A)')
    .option('--all', 'every product on one page')
    .action(
      merchantAction(async (client, flags: ConnectionFlags & { machineNo: string; page?: number; perPage?: number; category?: number; cabinet?: string; all?: boolean }) => {
        const page = await client.listProducts(flags.machineNo, {
          ...(flags.page !== undefined ? { page: flags.page } : {}),
          ...(flags.perPage !== undefined ? { perPage: flags.perPage } : {}),
          ...(flags.category !== undefined ? { categoryId: flags.category } : {}),
          ...(flags.cabinet !== undefined ? { cabinetName: flags.cabinet } : {}),
          ...(flags.all ? { selectAll: true } : {}),
        });
        return {
          value: page,
          human: () =>
            [
              table(
                ['ID', 'NAME', 'PRICE', 'STOCK', 'CAPACITY', 'CHANNEL', 'CATEGORY', 'ON_SALE'],
                page.data.map((p) => [
                  String(p.id),
                  p.good.name ?? '-',
                  p.good.price ?? '-',
                  String(p.currentInventory),
                  String(p.inventory),
                  p.channel.name ?? '-',
                  p.category?.title ?? '-',
                  p.onSale ? 'yes' : 'no',
                ]),
              ),
              `page ${page.currentPage}/${page.lastPage}, ${counted(page.total, 'product')}`,
            ].join('\n'),
        };
      }),
    );
}
