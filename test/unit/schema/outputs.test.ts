import { describe, expect, it } from 'vitest';
import { outputSchema, schemaOf } from './helpers.js';

describe('output schemas (predict.md §3.4)', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['str', { title: 'Output', type: 'string' }],
    ['int', { title: 'Output', type: 'integer' }],
    ['float', { title: 'Output', type: 'number' }],
    ['bool', { title: 'Output', type: 'boolean' }],
    ['Path', { format: 'uri', title: 'Output', type: 'string' }],
    ['File', { format: 'uri', title: 'Output', type: 'string' }],
    ['dict', { title: 'Output', type: 'object' }],
    ['Any', { title: 'Output', type: 'object' }],
    ['dict[str, int]', { additionalProperties: { type: 'integer' }, title: 'Output', type: 'object' }],
    ['Dict[str, list[Path]]', { additionalProperties: { items: { format: 'uri', type: 'string' }, type: 'array' }, title: 'Output', type: 'object' }],
    ['list', { items: { type: 'object' }, title: 'Output', type: 'array' }],
    ['list[Path]', { items: { format: 'uri', type: 'string' }, title: 'Output', type: 'array' }],
    ['List[list[int]]', { items: { items: { type: 'integer' }, type: 'array' }, title: 'Output', type: 'array' }],
    ['Iterator[str]', { items: { type: 'string' }, title: 'Output', type: 'array', 'x-cog-array-type': 'iterator' }],
    ['AsyncIterator[Path]', { items: { format: 'uri', type: 'string' }, title: 'Output', type: 'array', 'x-cog-array-type': 'iterator' }],
    ['ConcatenateIterator[str]', { items: { type: 'string' }, title: 'Output', type: 'array', 'x-cog-array-display': 'concatenate', 'x-cog-array-type': 'iterator' }],
    ['Annotated[Foo, cog.Opaque]', { title: 'Output', type: 'object' }],
    ['Annotated[list[Foo], cog.Opaque]', { items: { type: 'object' }, title: 'Output', type: 'array' }],
    ['Annotated[str, "doc"]', { title: 'Output', type: 'string' }],
    ['"Path"', { format: 'uri', title: 'Output', type: 'string' }],
  ];

  it.each(cases)('-> %s', async (returns, expected) => {
    const schema = await outputSchema(returns, 'import cog\nfrom typing import Annotated\nclass Foo: ...');
    expect(schema).toEqual(expected);
    expect(JSON.stringify(schema)).toBe(JSON.stringify(expected));
  });

  const model = [
    'class Box(BaseModel):',
    '    label: str',
    '    score: float',
    'class Output(BaseModel):',
    '    text: str',
    '    count: int = 0',
    '    image: Optional[Path] = None',
    '    boxes: list[Box]',
    '    extra: dict[str, str]',
    '    note: str | None',
    '    LIMIT: ClassVar[int] = 3',
  ].join('\n');

  it('expands a BaseModel, nested models included', async () => {
    const schema = await outputSchema('Output', `from typing import ClassVar\n${model}`);
    expect(JSON.stringify(schema)).toBe(
      JSON.stringify({
        properties: {
          text: { title: 'Text', type: 'string' },
          count: { title: 'Count', type: 'integer' },
          image: { format: 'uri', nullable: true, title: 'Image', type: 'string' },
          boxes: {
            items: { properties: { label: { title: 'Label', type: 'string' }, score: { title: 'Score', type: 'number' } }, required: ['label', 'score'], type: 'object' },
            title: 'Boxes',
            type: 'array',
          },
          extra: { additionalProperties: { type: 'string' }, title: 'Extra', type: 'object' },
          note: { nullable: true, title: 'Note', type: 'string' },
        },
        required: ['text', 'boxes', 'extra'],
        title: 'Output',
        type: 'object',
      }),
    );
  });

  it('follows models imported from project files (relative, absolute, packages, aliases)', async () => {
    const types = 'from cog import BaseModel\nclass Result(BaseModel):\n    url: str\n';
    const files = { 'types_a.py': types, 'pkg/__init__.py': 'from .inner import Result as Exported\n', 'pkg/inner.py': types };
    for (const [header, returns] of [
      ['from .types_a import Result', 'Result'],
      ['from types_a import Result as R', 'R'],
      ['import types_a', 'types_a.Result'],
      ['from pkg import Exported', 'Exported'],
    ] as const) {
      const schema = await outputSchema(returns, header, files);
      expect(schema, header).toEqual({ properties: { url: { title: 'Url', type: 'string' } }, required: ['url'], title: 'Output', type: 'object' });
    }
  });

  it('inherits model fields from a parent model, parent first', async () => {
    const schema = await outputSchema('Child', 'class Parent(BaseModel):\n    a: int\nclass Child(Parent):\n    b: str');
    expect(Object.keys(schema.properties as object)).toEqual(['a', 'b']);
  });

  it('accepts pydantic models and TypedDicts', async () => {
    const header = [
      'import pydantic',
      'from typing import TypedDict, NotRequired',
      'class P(pydantic.BaseModel):',
      '    a: int',
      'class T(TypedDict, total=False):',
      '    b: str',
      'class U(TypedDict):',
      '    c: str',
      '    d: NotRequired[int]',
    ].join('\n');
    expect(await outputSchema('P', header)).toEqual({ properties: { a: { title: 'A', type: 'integer' } }, required: ['a'], title: 'Output', type: 'object' });
    expect(await outputSchema('T', header)).toEqual({ properties: { b: { title: 'B', type: 'string' } }, title: 'Output', type: 'object' });
    expect(await outputSchema('U', header)).toEqual({ properties: { c: { title: 'C', type: 'string' }, d: { title: 'D', type: 'integer' } }, required: ['c'], title: 'Output', type: 'object' });
  });

  it('degrades a self-referencing model to an object', async () => {
    const schema = await outputSchema('Node', 'class Node(BaseModel):\n    name: str\n    children: list["Node"]');
    expect((schema.properties as Record<string, unknown>).children).toEqual({ items: { type: 'object' }, title: 'Children', type: 'array' });
  });

  it('marks @cog.streaming on the post operation', async () => {
    const source = 'import cog\nfrom typing import Iterator\nclass Predictor(cog.BaseRunner):\n    @cog.streaming\n    def run(self) -> Iterator[str]:\n        ...\n';
    const { document } = await schemaOf(source);
    const post = (document.paths['/predictions'] as { post: Record<string, unknown> }).post;
    expect(post['x-cog-streaming']).toBe(true);
    expect(Object.keys(post)).toEqual(['description', 'operationId', 'requestBody', 'responses', 'summary', 'x-cog-streaming']);
  });
});
