import { switchFlag, text } from '../settings/values.js';
import { defineCommand } from './define.js';
import { option } from './options.js';

export const loginCommand = defineCommand({
  name: 'login',
  arguments: '[registry]',
  description: 'Log in to a registry (default r8.im); credentials are kept where docker keeps them',
  options: {
    username: option({ flags: '-u, --username <name>', description: 'the username (default: asked, or $COG_REGISTRY_USERNAME)', kind: text(), env: 'COG_REGISTRY_USERNAME' }),
    passwordStdin: option({ flags: '--password-stdin', description: 'read the password or token from standard input', kind: switchFlag() }),
    tokenStdin: option({ flags: '--token-stdin', description: "the same, under upstream's name (what scripts for upstream Cog pass)", kind: switchFlag() }),
    password: option({ kind: text(), env: 'COG_REGISTRY_PASSWORD' }),
  },
  handler: async (args, options, context) => {
    const [{ login, replicateRegistry }, { readAllStdin, terminalPrompt }] = await Promise.all([
      import('../workflows/login.js'),
      import('../ui/prompt.js'),
    ]);
    const prompt = terminalPrompt();
    const result = await login({
      registry: args[0] ?? replicateRegistry,
      username: options.username,
      password: options.password,
      passwordStdin: Boolean(options.passwordStdin || options.tokenStdin),
      readStdin: readAllStdin,
      ...(prompt ? { prompt } : {}),
      signal: context.signal,
    });
    context.logger.say(`Logged in to ${result.registry} as ${result.username} (credentials in ${result.storedIn})`);
  },
});
