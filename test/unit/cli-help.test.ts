import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { commands } from '../../src/commands/table.js';

// --help of every command under snapshot: the CLI surface changes only on purpose.
async function help(argv: string[]): Promise<string> {
  const out: string[] = [];
  try {
    await main([...argv, '--help'], { print: (line) => out.push(line), writeErr: () => {}, cwd: '/nonexistent' });
  } catch {
    // commander ends --help with an exit it reports by throwing; the text is what matters.
  }
  return `${out.join('\n')}\n`;
}

describe('--help', () => {
  it('cog', async () => {
    await expect(await help([])).toMatchFileSnapshot('../golden/help/cog.txt');
  });

  it.each(commands.map((c) => c.name))('cog %s', async (name) => {
    const text = await help([name]);
    expect(text).toContain(`Usage: cog ${name}`);
    await expect(text).toMatchFileSnapshot(`../golden/help/${name}.txt`);
  });
});
