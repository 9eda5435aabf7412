import { Command, CommanderError, Option } from 'commander';
import { commands } from './commands/table.js';
import type { CommandContext, CommandDefinition } from './commands/define.js';
import { parseOptions } from './commands/options.js';
import { ExitCode, UserError } from './errors.js';
import { processEnv, type Env } from './settings/env.js';
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
  /** The environment commands read (through settings/env.ts); default the process's. */
  env?: Env;
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
    // Needed for commands that pass their options through (`cog exec python -c …`); every command
    // also takes --debug itself, so `cog build --debug` works as before.
    .enablePositionalOptions()
    .exitOverride();
  const output = { writeOut: (text: string) => print(text.trimEnd()), writeErr };
  program.configureOutput(output);

  // Before the subcommand parses anything, as Cobra prints a deprecated command's notice.
  program.hook('preSubcommand', (_program, subcommand) => {
    const deprecated = commands.find((definition) => definition.name === subcommand.name())?.deprecated;
    if (deprecated) new Logger({ write: (line) => writeErr(`${line}\n`) }).warn(`Command "${subcommand.name()}" is deprecated, ${deprecated}`);
  });
  for (const definition of commands) {
    const command = toCommander(definition, (debug) => ({
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? processEnv(),
      logger: new Logger({ debug: debug || Boolean(program.opts().debug), write: (line) => writeErr(`${line}\n`) }),
      print,
      signal: options.signal ?? new AbortController().signal,
    }));
    program.addCommand(command.configureOutput(output));
  }
  await program.parseAsync(argv, { from: 'user' });
}

function toCommander(definition: CommandDefinition, context: (debug: boolean) => CommandContext): Command {
  const command = new Command(definition.name).description(definition.description).exitOverride();
  for (const alias of definition.aliases ?? []) command.alias(alias);
  if (definition.arguments) command.arguments(definition.arguments);
  if (definition.passThroughOptions) command.passThroughOptions();
  command.option('--debug', 'show debugging output');
  for (const [key, spec] of Object.entries(definition.options)) {
    // A setting only the environment gives has no flag.
    if (!spec.flags) continue;
    const option = new Option(spec.flags, spec.description);
    if (option.attributeName() !== key) throw new Error(`cog ${definition.name}: option ${spec.flags} is declared as "${key}", not "${option.attributeName()}"`);
    if (spec.listChoices && spec.kind.choices) option.choices(spec.kind.choices);
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
    // Values are checked by the option's kind (parseOptions), so every bad value reads the same.
    if (spec.repeatable) option.argParser((value: string, previous: string[] = []) => [...previous, value]);
    else if (spec.listChoices) option.argParser((value: string) => value);
    command.addOption(option);
  }
  command.action(async (...received: unknown[]) => {
    const cmd = received.at(-1);
    if (!(cmd instanceof Command)) throw new Error('commander called an action without its command');
    const { debug, ...values } = cmd.opts();
    const commandContext = context(Boolean(debug));
    const parsed = await parseOptions(
      definition.options,
      { values, fromCommandLine: (key) => cmd.getOptionValueSource(key) === 'cli' },
      commandContext.env,
    );
    for (const line of parsed.sources) commandContext.logger.debug(line);
    await definition.handler(cmd.args, parsed.options, commandContext);
  });
  return command;
}

/** The process entry: runs main, maps errors to exit codes, and is the only place that exits. */
export async function runCli(argv: string[]): Promise<never> {
  const controller = new AbortController();
  // `on`, not `once`: execa's exit handler (signal-exit) re-raises a signal that no other listener
  // is left to handle, which killed the process before a command could remove its container. The
  // first signal asks the command to stop and clean up; a second one exits at once.
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    if (signals++ > 0) process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The terminal (or the parent that owned it) went away: stop and clean up as for Ctrl-C.
  process.on('SIGHUP', stop);
  // A reader that goes away (`cog run … 2>&1 | head`) makes writes fail with EPIPE; unhandled, that
  // killed cog before a command could remove its container. Output is lost either way.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
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
    if (debug && error.cause) writeErr(`${redact(error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause))}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeErr(`${redact(`internal error: ${stack}`)}\n`);
  writeErr('This is a bug in cogpack: please report it with the command you ran and the output above.\n');
  return ExitCode.internal;
}
