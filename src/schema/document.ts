import { toJson } from './literals.js';
import type { InputField, InputType, JsonObject, JsonValue, OpenApiDocument, OutputType, PredictorSignature, Primitive } from './types.js';

/*
 * Key order. Upstream builds the document from Go maps, which encoding/json writes with their keys
 * sorted, except for three ordered maps: paths, components.schemas, and the properties of Input
 * and of an object Output (parameter and field order). Each input property is a plain map, so its
 * keys are sorted too (`"data":{"title":"Data","type":"object","x-order":0}`, which upstream's own
 * tests grep for). Every object below is written in the order Go would print it, so
 * `JSON.stringify` gives upstream's bytes (see `renderSchemaJson`).
 */

/** The JSON Schema fragment of a primitive (predict.md §3.3), keys sorted. */
function primitiveSchema(primitive: Primitive): JsonObject {
  switch (primitive) {
    case 'bool':
      return { type: 'boolean' };
    case 'float':
      return { type: 'number' };
    case 'int':
      return { type: 'integer' };
    case 'str':
      return { type: 'string' };
    case 'Path':
    case 'File':
      return { format: 'uri', type: 'string' };
    case 'Secret':
      return { format: 'password', type: 'string', writeOnly: true, 'x-cog-secret': true };
    case 'Any':
      return { type: 'object' };
  }
}

function scalarSchema(primitive: Primitive, list: boolean): JsonObject {
  return list ? { items: primitiveSchema(primitive), type: 'array' } : primitiveSchema(primitive);
}

function inputTypeSchema(type: InputType): JsonObject {
  if (type.kind === 'union') return { anyOf: type.members.map((member) => scalarSchema(member.primitive, member.list)) };
  return scalarSchema(type.primitive, type.list);
}

/** Whether the input accepts null: Optional, or the `Secret = Input(default=None)` idiom. */
function isNullable(field: InputField): boolean {
  if (field.type.optional) return true;
  return field.type.kind === 'primitive' && field.type.primitive === 'Secret' && !field.type.list && field.default?.kind === 'none';
}

/**
 * `default=None` on a type that cannot be null is no default (the "generate a seed" idiom): the
 * field stays required and no default is written (predict.md §3.3).
 */
function hasEffectiveDefault(field: InputField): boolean {
  if (!field.default) return false;
  return field.default.kind !== 'none' || isNullable(field);
}

function inputProperty(field: InputField, enumName: string | undefined): JsonObject {
  const property: JsonObject = { 'x-order': field.order };
  if (enumName) {
    property.allOf = [{ $ref: `#/components/schemas/${enumName}` }];
  } else {
    property.title = titleCase(field.name);
    Object.assign(property, inputTypeSchema(field.type));
  }
  if (field.default && hasEffectiveDefault(field)) property.default = toJson(field.default);
  if (isNullable(field)) property.nullable = true;
  if (field.description !== undefined) property.description = field.description;
  if (field.ge !== undefined) property.minimum = field.ge;
  if (field.le !== undefined) property.maximum = field.le;
  if (field.minLength !== undefined) property.minLength = field.minLength;
  if (field.maxLength !== undefined) property.maxLength = field.maxLength;
  if (field.regex !== undefined) property.pattern = field.regex;
  if (field.deprecated) property.deprecated = true;
  if (field.accept !== undefined) property['x-cog-accept'] = field.accept;
  return sortKeys(property);
}

function isRequired(field: InputField): boolean {
  return !hasEffectiveDefault(field) && !isNullable(field);
}

/** `max_tokens` → "Max Tokens": upstream upper-cases the first letter of each `_`-separated part, nothing else. */
export function titleCase(name: string): string {
  return name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}

/** The Output component, and nested output types without the title. Keys sorted. */
export function outputSchema(output: OutputType, title?: string): JsonObject {
  return sortKeys({ ...outputCore(output), ...(title === undefined ? {} : { title }) });
}

function outputCore(output: OutputType): JsonObject {
  switch (output.kind) {
    case 'primitive':
      return primitiveSchema(output.primitive);
    case 'any':
      return { type: 'object' };
    case 'array':
      return { items: outputSchema(output.items), type: 'array' };
    case 'dict':
      return { additionalProperties: outputSchema(output.values), type: 'object' };
    case 'iterator':
      return {
        items: outputSchema(output.items),
        type: 'array',
        ...(output.concatenate ? { 'x-cog-array-display': 'concatenate' } : {}),
        'x-cog-array-type': 'iterator',
      };
    case 'object': {
      const properties: JsonObject = {};
      for (const field of output.fields) {
        properties[field.name] = sortKeys({ ...outputSchema(field.type), ...(field.nullable ? { nullable: true } : {}), title: titleCase(field.name) });
      }
      const required = output.fields.filter((field) => field.required).map((field) => field.name);
      return { properties, ...(required.length > 0 ? { required } : {}), type: 'object' };
    }
  }
}

function sortKeys(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const validationErrorRef = { $ref: '#/components/schemas/HTTPValidationError' };
const emptyJsonResponse = { content: { 'application/json': { schema: {} } }, description: 'Successful Response' };

/** The whole document for one mode (predict.md §3.5), before the predict/train merge. */
export function buildDocument(signature: PredictorSignature): OpenApiDocument {
  const train = signature.mode === 'train';
  const names = train
    ? { path: '/trainings', request: 'TrainingRequest', response: 'TrainingResponse', input: 'TrainingInput', output: 'TrainingOutput', summary: 'Train', noun: 'training' }
    : { path: '/predictions', request: 'PredictionRequest', response: 'PredictionResponse', input: 'Input', output: 'Output', summary: 'Predict', noun: 'prediction' };
  const properties: JsonObject = {};
  const enums: Array<[string, JsonObject]> = [];
  for (const field of signature.inputs) {
    const enumName = field.choices ? field.name : undefined;
    if (field.choices && enumName) enums.push([enumName, enumSchema(enumName, field)]);
    properties[field.name] = inputProperty(field, enumName);
  }
  const required = signature.inputs.filter(isRequired).map((field) => field.name);
  const inputRef = { $ref: `#/components/schemas/${names.input}` };
  const schemas: Record<string, JsonObject> = {
    [names.input]: { properties, ...(required.length > 0 ? { required } : {}), title: names.input, type: 'object' },
    [names.output]: outputSchema(signature.output, 'Output'),
    ...Object.fromEntries(enums),
    [names.request]: { properties: { id: { title: 'Id', type: 'string' }, input: inputRef }, title: names.request, type: 'object' },
    [names.response]: {
      properties: {
        completed_at: { format: 'date-time', title: 'Completed At', type: 'string' },
        created_at: { format: 'date-time', title: 'Created At', type: 'string' },
        error: { title: 'Error', type: 'string' },
        id: { title: 'Id', type: 'string' },
        input: inputRef,
        logs: { title: 'Logs', type: 'string' },
        metrics: { title: 'Metrics', type: 'object' },
        output: { $ref: `#/components/schemas/${names.output}` },
        started_at: { format: 'date-time', title: 'Started At', type: 'string' },
        status: { title: 'Status', type: 'string' },
        version: { title: 'Version', type: 'string' },
      },
      title: names.response,
      type: 'object',
    },
    Status: { description: 'An enumeration.', enum: ['starting', 'processing', 'succeeded', 'canceled', 'failed'], title: 'Status', type: 'string' },
    HTTPValidationError: {
      properties: { detail: { items: { $ref: '#/components/schemas/ValidationError' }, title: 'Detail', type: 'array' } },
      title: 'HTTPValidationError',
      type: 'object',
    },
    ValidationError: {
      properties: {
        loc: { items: { anyOf: [{ type: 'string' }, { type: 'integer' }] }, title: 'Location', type: 'array' },
        msg: { title: 'Message', type: 'string' },
        type: { title: 'Error Type', type: 'string' },
      },
      required: ['loc', 'msg', 'type'],
      title: 'ValidationError',
      type: 'object',
    },
  };
  const idParameter = `${names.noun}_id`;
  const paths: Record<string, JsonObject> = {
    '/': { get: { operationId: 'root__get', responses: { 200: emptyJsonResponse }, summary: 'Root' } },
    '/health-check': { get: { operationId: 'healthcheck_health_check_get', responses: { 200: emptyJsonResponse }, summary: 'Healthcheck' } },
    [names.path]: {
      post: {
        description: `Run a single ${names.noun} on the model`,
        operationId: train ? 'train_trainings_post' : 'predict_predictions_post',
        requestBody: { content: { 'application/json': { schema: { $ref: `#/components/schemas/${names.request}` } } } },
        responses: {
          200: { content: { 'application/json': { schema: { $ref: `#/components/schemas/${names.response}` } } }, description: 'Successful Response' },
          422: { content: { 'application/json': { schema: validationErrorRef } }, description: 'Validation Error' },
        },
        summary: names.summary,
        ...(signature.streaming ? { 'x-cog-streaming': true } : {}),
      },
    },
    [`${names.path}/{${idParameter}}/cancel`]: {
      post: {
        operationId: train ? 'cancel_trainings__training_id__cancel_post' : 'cancel_predictions__prediction_id__cancel_post',
        parameters: [{ in: 'path', name: idParameter, required: true, schema: { title: titleCase(idParameter), type: 'string' } }],
        responses: {
          200: emptyJsonResponse,
          422: { content: { 'application/json': { schema: validationErrorRef } }, description: 'Validation Error' },
        },
        summary: 'Cancel',
      },
    },
  };
  // Upstream's info.version is a constant, not the CLI version.
  return { components: { schemas }, info: { title: 'Cog', version: '0.1.0' }, openapi: '3.0.2', paths };
}

function enumSchema(name: string, field: InputField): JsonObject {
  const primitive = field.type.kind === 'primitive' ? field.type.primitive : 'str';
  const type = primitiveSchema(primitive).type ?? 'string';
  return { description: 'An enumeration.', enum: (field.choices ?? []).map(toJson), title: name, type };
}

/**
 * Both predict and train: upstream merges the two documents through untyped Go maps, adding the
 * train document's missing paths and schemas, and prints the result with every key sorted.
 */
export function mergeDocuments(predict: OpenApiDocument, train: OpenApiDocument): OpenApiDocument {
  const merged = structuredClone(predict);
  for (const [key, value] of Object.entries(train.paths)) merged.paths[key] ??= value;
  for (const [key, value] of Object.entries(train.components.schemas)) merged.components.schemas[key] ??= value;
  return deepSortKeys(merged) as OpenApiDocument;
}

function deepSortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(deepSortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => [key, deepSortKeys(item)]),
  );
}

/**
 * The document as upstream's Go writes it: compact, or indented by two spaces for a merged
 * predict+train document. Go's encoder also escapes <, > and & (and U+2028/U+2029) in strings.
 */
export function renderSchemaJson(document: OpenApiDocument, options: { indent?: boolean } = {}): string {
  const text = JSON.stringify(document, undefined, options.indent ? 2 : undefined);
  return text.replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
