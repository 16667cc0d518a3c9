/** `vendcloud order get` and `vendcloud delivery put|get|debug`: an order and its deliveries through the SDK. */
import type { Command } from 'commander';
import { machineOption, merchantAction, withConnection, type ConnectionFlags } from './merchant.js';
import { parseWholeNumber } from './output.js';

type MachineFlags = ConnectionFlags & { machineNo: string };

function registerOrder(program: Command): void {
  const order = program.command('order').description('orders (order_get.md)');
  withConnection(order.command('get').description('an order with its records and their delivery statuses'))
    .requiredOption(...machineOption)
    .requiredOption('--order <id>', 'order id', parseWholeNumber(1))
    .action(
      merchantAction(async (client, flags: MachineFlags & { order: number }) => {
        const found = await client.getOrder(flags.machineNo, flags.order);
        const records = found.records.map((record) => `  record ${record.id}  product ${record.productId}  x${record.quantity}  ${record.status ?? '-'}`);
        return { value: found, human: () => [`order ${found.orderId}  ${found.status}  ${found.amount}`, ...records].join('\n') };
      }),
    );
}

function registerDelivery(program: Command): void {
  const delivery = program.command('delivery').description('vend an order record, a test vend, a delivery state');
  withConnection(delivery.command('put').description("vend an order record's item (device.delivery.put)"))
    .requiredOption(...machineOption)
    .requiredOption('--order <id>', 'order id', parseWholeNumber(1))
    .requiredOption('--record <id>', 'record id', parseWholeNumber(1))
    .action(
      merchantAction(async (client, flags: MachineFlags & { order: number; record: number }, show) => {
        const started = await client.deliver(flags.machineNo, flags.order, flags.record);
        return { value: started, human: () => `delivery ${started.deliveryId} ${started.status} since ${show.at(started.deliveredAt)}` };
      }),
    );
  withConnection(delivery.command('debug').description('a test vend of one channel (deliveries/debug)'))
    .requiredOption(...machineOption)
    .requiredOption('--channel <name>', 'channel name, e.g. A1')
    .requiredOption('--notify-url <url>', 'where the result goes')
    .action(
      merchantAction(async (client, flags: MachineFlags & { channel: string; notifyUrl: string }, show) => {
        const started = await client.testDelivery(flags.machineNo, flags.channel, flags.notifyUrl);
        return { value: started, human: () => `delivery ${started.deliveryId} ${started.status} since ${show.at(started.deliveredAt)}` };
      }),
    );
  withConnection(delivery.command('get').description('where a delivery stands'))
    .requiredOption(...machineOption)
    .requiredOption('--delivery <id>', 'delivery id', parseWholeNumber(1))
    .action(
      merchantAction(async (client, flags: MachineFlags & { delivery: number }, show) => {
        const state = await client.getDelivery(flags.machineNo, flags.delivery);
        return { value: state, human: () => `${state.status}  commanded ${show.at(state.deliveredAt)}  out ${show.at(state.pickupAt)}${state.failReason ? `  ${state.failReason}` : ''}` };
      }),
    );
}

export function registerDeliveryCommands(program: Command): void {
  registerOrder(program);
  registerDelivery(program);
}
