#!/usr/bin/env node
/** The `vendcloud` command. */
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './admin.js';
import { registerLinkCommands } from './link.js';
import { EXIT, fail } from './output.js';
import { registerServeCommand } from './serve.js';

const program = new Command('vendcloud')
  .description('vendcloud: the cloud side of a fleet of vending machines')
  .exitOverride()
  .configureOutput({ outputError: () => undefined });

registerServeCommand(program);
registerAdminCommands(program);
registerLinkCommands(program);

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
    fail(error.message.replace(/^error: /, ''), EXIT.USAGE);
  }
  fail((error as Error).message, EXIT.API_ERROR);
}
