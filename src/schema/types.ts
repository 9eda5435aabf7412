/** JSON as it goes into the document. Object key order is the order written out. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** The OpenAPI 3.0.2 document served at `/openapi.json` and stored in `run.cog.openapi_schema`. */
export interface OpenApiDocument extends JsonObject {
  components: { schemas: Record<string, JsonObject> };
  info: { title: string; version: string };
  openapi: '3.0.2';
  paths: Record<string, JsonObject>;
}

/** Which entry point of the model a document describes. */
export type SchemaMode = 'predict' | 'train';

/** A Python literal, evaluated statically. Ints and floats are both numbers: JSON cannot tell them apart either. */
export type PyValue =
  | { kind: 'none' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'list' | 'tuple' | 'set'; items: PyValue[] }
  | { kind: 'dict'; entries: Array<[PyValue, PyValue]> };

/** A type annotation as written, before it means anything. Names keep their qualifier (`cog.Path`). */
export type Annotation = AnnotationShape & {
  /** The annotation's source text, for messages. */
  text: string;
  /** 1-based line in its file. */
  line: number;
};
type AnnotationShape =
  | { kind: 'name'; name: string }
  | { kind: 'generic'; name: string; args: Annotation[] }
  | { kind: 'union'; members: Annotation[] }
  | { kind: 'none' }
  /** Anything else (a number in `Literal[1]`, a call): never a valid type, but its owner may be. */
  | { kind: 'other' };

/** The scalar types an input (or an output leaf) can have. */
export type Primitive = 'bool' | 'float' | 'int' | 'str' | 'Path' | 'File' | 'Secret' | 'Any';

/** An input's type: a primitive with its cardinality, or a union of JSON-native types. */
export type InputType =
  | { kind: 'primitive'; primitive: Primitive; list: boolean; optional: boolean }
  | { kind: 'union'; members: Array<{ primitive: Primitive; list: boolean }>; optional: boolean };

/** One parameter of run()/predict()/train(), with what `Input(...)` said about it. */
export interface InputField {
  name: string;
  order: number;
  type: InputType;
  line: number;
  /** Absent when the parameter has no default at all. */
  default?: PyValue;
  description?: string;
  ge?: number;
  le?: number;
  minLength?: number;
  maxLength?: number;
  regex?: string;
  choices?: PyValue[];
  deprecated?: boolean;
  accept?: string;
}

/** An output type: the recursive shape the Output component is written from. */
export type OutputType =
  | { kind: 'primitive'; primitive: Primitive }
  | { kind: 'any' }
  | { kind: 'array'; items: OutputType }
  | { kind: 'dict'; values: OutputType }
  | { kind: 'object'; fields: OutputField[] }
  | { kind: 'iterator'; items: OutputType; concatenate: boolean };

export interface OutputField {
  name: string;
  type: OutputType;
  nullable: boolean;
  required: boolean;
}

/** What the parser extracted from one predictor: everything the document needs. */
export interface PredictorSignature {
  mode: SchemaMode;
  inputs: InputField[];
  output: OutputType;
  /** `@cog.streaming` on the entry point. */
  streaming: boolean;
}
