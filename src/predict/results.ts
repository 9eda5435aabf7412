import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Logger } from '../ui/logger.js';
import type { PredictionResponse } from './client.js';
import { formatJson, itemDestination, writeFileOutput } from './outputs.js';
import { classifyOutput, outputSchema, type OutputKind, type RunMode, type SchemaNode } from './schema.js';

export interface ResultsOptions {
  /** The model's OpenAPI document; without one the output is printed as JSON. */
  document: SchemaNode | undefined;
  mode: RunMode;
  /** `--json` was used: the whole response is the result. */
  json: boolean;
  /** Where outputs go (from `chooseOutputPath`). */
  destination: string;
  /** `-o` was given: results go to files, not stdout. */
  writeToDisk: boolean;
  /** File names are shown relative to this directory when inside it. Default: as they are. */
  cwd?: string;
  /** A line of results on stdout. */
  print: (line: string) => void;
  /** Raw text on stdout (concatenated chunks). */
  write: (text: string) => void;
  logger: Logger;
}

export interface RunResult {
  status: string;
  output: unknown;
  /** Every file written. */
  files: string[];
}

/**
 * Shows a prediction's results as upstream does (predict.md §1.8): strings raw, other values as
 * JSON, files decoded into `output.<ext>` (`output.0.<ext>`, … for lists), `--json` as one object.
 * Streamed chunks (models with `@cog.streaming`) are shown as they arrive.
 */
export class ResultPrinter {
  readonly kind: OutputKind;
  private readonly written = new Map<number, string>();
  private streamedText = false;
  private streamedLines = 0;

  constructor(private readonly options: ResultsOptions) {
    this.kind = options.document ? classifyOutput(options.document, outputSchema(options.document, options.mode)) : { kind: 'json' };
  }

  /** Files go next to the destination; in JSON mode the destination's `.json` is not theirs. */
  private get fileBase(): string {
    const { destination, json } = this.options;
    return json ? destination.slice(0, destination.length - path.extname(destination).length) : destination;
  }

  /** Whether chunks are shown on the terminal as they come (not for `--json` or `-o`). */
  private get live(): boolean {
    return !this.options.json && !this.options.writeToDisk;
  }

  /** One streamed output chunk. */
  async chunk(value: unknown, index: number): Promise<void> {
    if (this.kind.kind === 'files') {
      await this.writeFile(value, itemDestination(this.fileBase, index), index);
      return;
    }
    if (!this.live || this.kind.kind !== 'iterator') return;
    if (this.kind.concatenate && typeof value === 'string') {
      this.options.write(value);
      this.streamedText = true;
    } else {
      this.options.print(typeof value === 'string' ? value : JSON.stringify(value));
      this.streamedLines++;
    }
  }

  /** One log line of the prediction (the model's prints), on stderr as it is written. */
  log(text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) this.options.logger.raw(line);
  }

  /** The final state: writes what is left, prints the result, and throws when the prediction did not succeed. */
  async finish(response: PredictionResponse, options: { logsShown: boolean }): Promise<RunResult> {
    if (this.streamedText) this.options.write('\n');
    if (!options.logsShown && response.logs) this.log(response.logs);
    let output = response.output;
    if (response.status === 'succeeded' && output !== undefined && output !== null) output = await this.writeFiles(output);
    const files = [...this.written.values()];
    if (this.options.json) {
      const text = formatJson({
        status: response.status,
        output: output ?? null,
        error: response.error ?? '',
        logs: response.logs ?? '',
        metrics: response.metrics ?? {},
      });
      await this.emit(text, this.options.destination);
      if (response.status !== 'succeeded') throw failure(response);
      return { status: response.status, output, files };
    }
    if (response.status !== 'succeeded') throw failure(response);
    if (output === undefined || output === null) {
      this.options.logger.warn('No output generated');
    } else if (this.kind.kind === 'file' || this.kind.kind === 'files') {
      // Written already, each with its own line.
    } else if (this.kind.kind === 'iterator' && this.live && (this.streamedText || this.streamedLines > 0)) {
      // Shown as it came.
    } else if (this.kind.kind === 'string' && typeof output === 'string') {
      await this.emit(output, this.options.destination);
    } else {
      await this.emit(formatJson(output), this.options.destination);
    }
    return { status: response.status, output, files };
  }

  private async emit(text: string, destination: string): Promise<void> {
    if (!this.options.writeToDisk) {
      this.options.print(text);
      return;
    }
    await writeFile(destination, text, { mode: 0o755 });
    this.options.logger.raw(`Written output to: ${this.display(destination)}`);
  }

  private async writeFiles(output: unknown): Promise<unknown> {
    if (this.kind.kind === 'file' && typeof output === 'string') return this.writeFile(output, this.fileBase, 0);
    if (this.kind.kind === 'files' && Array.isArray(output)) {
      const paths: unknown[] = [];
      for (const [index, item] of output.entries()) paths.push(await this.writeFile(item, itemDestination(this.fileBase, index), index));
      return paths;
    }
    return output;
  }

  private async writeFile(value: unknown, destination: string, index: number): Promise<unknown> {
    const already = this.written.get(index);
    if (already) return already;
    if (typeof value !== 'string') throw new UserError(`Failed to write output: expected a file (a data URL), got ${JSON.stringify(value).slice(0, 80)}`);
    if (!value.startsWith('data:')) {
      // An upload URL (a server started with --upload-url): the file is there, not here.
      this.options.logger.warn(`output ${index} is at ${value}; not downloaded`);
      return value;
    }
    const file = await writeFileOutput(value, destination);
    this.written.set(index, file);
    this.options.logger.raw(`Written output to: ${this.display(file)}`);
    return file;
  }

  private display(file: string): string {
    if (!this.options.cwd) return file;
    const relative = path.relative(this.options.cwd, file);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  }
}

function failure(response: PredictionResponse): UserError {
  return new UserError(`Prediction failed with status "${response.status}": ${response.error ?? ''}`.trimEnd());
}
