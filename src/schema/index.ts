/**
 * The static OpenAPI schema of a predictor (predict.md §3): tree-sitter reads the Python source,
 * nothing runs it. The grammar is loaded on the first call, not at import.
 */
export { generateSchema, generateSchemaJson, type GenerateSchemaOptions } from './generate.js';
export { renderSchemaJson } from './document.js';
export { loadPythonParser } from './grammar.js';
export { PredictorSchemaError } from './located-error.js';
export type { JsonObject, JsonValue, OpenApiDocument, SchemaMode } from './types.js';
