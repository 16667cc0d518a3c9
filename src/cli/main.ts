#!/usr/bin/env node
/** The `vendcloud` command. */
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './admin.js';
import { registerAdminLists } from './admin-lists.js';
import { registerCallbackCommands } from './callbacks.js';
import { registerCodeCommands } from './codes.js';
import { registerDeliveryCommands } from './deliveries.js';
import { registerExportCommand, registerImportCommand } from './import.js';
import { registerLinkCommands } from './link.js';
import { registerMerchantCommands } from './merchant.js';
import { EXIT, fail } from './output.js';
import { registerPayloadCommands } from './payload.js';
import { registerServeCommand } from './serve.js';

const program = new Command('vendcloud')
  .description('vendcloud: the cloud side of a fleet of vending machines')
  .exitOverride()
  .configureOutput({ outputError: () => undefined });

registerServeCommand(program);
registerAdminCommands(program);
registerAdminLists(program);
registerCallbackCommands(program);
registerLinkCommands(program);
registerMerchantCommands(program);
registerCodeCommands(program);
registerDeliveryCommands(program);
registerPayloadCommands(program);
registerImportCommand(program);
registerExportCommand(program);

for (const command of program.commands) {
  command.exitOverride();
  command.configureOutput({ outputError: () => undefined });
  for (const sub of command.commands) sub.exitOverride().configureOutput({ outputError: () => undefined });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) process.exit(0);
    // A command group named without its subcommand: commander has printed the help already.
    if (error.code === 'commander.help') process.exit(EXIT.USAGE);
    fail(error.message.replace(/^error: /, ''), EXIT.USAGE);
  }
  fail((error as Error).message, EXIT.API_ERROR);
}
