import { createInterface } from 'node:readline';

/** Asks on the terminal (stderr), hiding what is typed for a secret. Undefined when there is no terminal. */
export function terminalPrompt(): ((question: string, options: { secret: boolean }) => Promise<string>) | undefined {
  if (!process.stdin.isTTY) return undefined;
  return (question, { secret }) =>
    new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      if (secret) {
        // Echo nothing of the secret: readline writes each keystroke through this method.
        (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (text: string) => {
          if (text.includes(question)) process.stderr.write(question);
        };
      }
      rl.question(question, (answer) => {
        rl.close();
        if (secret) process.stderr.write('\n');
        resolve(answer);
      });
    });
}

/** All of stdin, for `--password-stdin`. */
export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
