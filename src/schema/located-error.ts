import { UserError } from '../errors.js';

/**
 * A problem in the user's Python code, located at `file:line`. It is a UserError: the message
 * says what is wrong and the hint what to write instead; no stack is printed.
 */
export class PredictorSchemaError extends UserError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(where: { file: string; line?: number | undefined }, message: string, hint?: string) {
    super(where.line === undefined ? `${where.file}: ${message}` : `${where.file}:${where.line}: ${message}`, { hint });
    this.name = 'PredictorSchemaError';
    this.file = where.file;
    this.line = where.line;
  }
}
