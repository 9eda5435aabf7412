import { Command, CommanderError, Option } from 'commander';
import { commands } from './commands/table.js';
import type { CommandContext, CommandDefinition } from './commands/define.js';
import { ExitCode, UserError } from './errors.js';
import { Logger } from './ui/logger.js';
import { redact } from './ui/redact.js';
import { cogpackVersion } from './version.js';

export interface MainOptions {
  cwd?: string;
  /** Where results go; default stdout. */
  print?: (line: string) => void;
  /** Where diagnostics go; default stderr. */
  writeErr?: (text: string) => void;
  signal?: AbortSignal;
}

/**
 * Parses argv and runs one command. Throws on failure, returns on success; never exits the
 * process (runCli does), so tests call it in-process.
 */
export async function main(argv: string[], options: MainOptions = {}): Promise<void> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const writeErr = options.writeErr ?? ((text: string) => process.stderr.write(text));
  const program = new Command('cog')
    .description('Containers for machine learning: build, run and push Cog models')
    .version(cogpackVersion(), '--version', 'print the version')
    .option('--debug', 'show debugging output (engine route, commands run)')
    .exitOverride();
  const output = { writeOut: (text: string) => print(text.trimEnd()), writeErr };
  program.configureOutput(output);

  for (const definition of commands) {
    const command = toCommander(definition, () => ({
      cwd: options.cwd ?? process.cwd(),
      logger: new Logger({ debug: Boolean(program.opts().debug), write: (line) => writeErr(`${line}\n`) }),
      print,
      signal: options.signal ?? new AbortController().signal,
    }));
    program.addCommand(command.configureOutput(output));
  }
  await program.parseAsync(argv, { from: 'user' });
}

function toCommander(definition: CommandDefinition, context: () => CommandContext): Command {
  const command = new Command(definition.name).description(definition.description).exitOverride();
  for (const alias of definition.aliases ?? []) command.alias(alias);
  if (definition.arguments) command.arguments(definition.arguments);
  for (const spec of definition.options) {
    const option = new Option(spec.flags, spec.description);
    if (spec.choices) option.choices(spec.choices);
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
    if (spec.repeatable) option.argParser((value: string, previous: string[] = []) => [...previous, value]);
    command.addOption(option);
  }
  command.action(async (...received: unknown[]) => {
    const cmd = received.at(-1) as Command;
    const args = cmd.args;
    await definition.handler(args, cmd.opts(), context());
  });
  return command;
}

/** The process entry: runs main, maps errors to exit codes, and is the only place that exits. */
export async function runCli(argv: string[]): Promise<never> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await main(argv, { signal: controller.signal });
    process.exit(ExitCode.ok);
  } catch (error) {
    process.exit(reportError(error, argv.includes('--debug')));
  }
}

/** Prints an error the way its kind deserves and returns the exit code. */
export function reportError(error: unknown, debug: boolean, writeErr: (text: string) => void = (text) => process.stderr.write(text)): number {
  if (error instanceof CommanderError) {
    // Commander already printed usage problems; --help and --version end here too.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof UserError) {
    writeErr(`${redact(`error: ${error.message}`)}\n`);
    if (error.hint) writeErr(`${redact(`hint: ${error.hint}`)}\n`);
    if (debug && error.cause) writeErr(`${redact(String((error.cause as Error).stack ?? error.cause))}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeErr(`${redact(`internal error: ${stack}`)}\n`);
  writeErr('This is a bug in cogpack: please report it with the command you ran and the output above.\n');
  return ExitCode.internal;
}
