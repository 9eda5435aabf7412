import { NotYetAvailableError } from '../errors.js';
import type { CommandDefinition } from './define.js';

/** A command whose issue is still open: registered so --help lists it, and says so when run (exit 2). */
export function pendingCommand(name: string, description: string, issue: number, argumentsSpec?: string): CommandDefinition {
  return {
    name,
    description,
    ...(argumentsSpec ? { arguments: argumentsSpec } : {}),
    options: [],
    handler: async () => {
      throw new NotYetAvailableError(`cog ${name}`, issue);
    },
  };
}
