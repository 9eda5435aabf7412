import { describe, expect, it } from 'vitest';
import { inputSchema } from './helpers.js';

describe('input properties (predict.md §3.3)', () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ['str, required', 'x: str', { 'x-order': 0, title: 'X', type: 'string' }],
    ['int default', 'count: int = 3', { 'x-order': 0, title: 'Count', type: 'integer', default: 3 }],
    ['float from Input()', 'temperature: float = Input(default=0.75, ge=0, le=2.5)', { 'x-order': 0, title: 'Temperature', type: 'number', default: 0.75, minimum: 0, maximum: 2.5 }],
    ['bool', 'flag: bool = False', { 'x-order': 0, title: 'Flag', type: 'boolean', default: false }],
    ['Path', 'image: Path = Input(description="An image")', { 'x-order': 0, title: 'Image', format: 'uri', type: 'string', description: 'An image' }],
    ['File (deprecated type)', 'f: File', { 'x-order': 0, title: 'F', format: 'uri', type: 'string' }],
    ['cog.Path through the module', 'image: cog.Path', { 'x-order': 0, title: 'Image', format: 'uri', type: 'string' }],
    ['Secret', 'token: Secret', { 'x-order': 0, title: 'Token', format: 'password', type: 'string', writeOnly: true, 'x-cog-secret': true }],
    ['Secret = Input(default=None) is optional', 'token: Secret = Input(default=None)', { 'x-order': 0, title: 'Token', format: 'password', type: 'string', writeOnly: true, 'x-cog-secret': true, default: null, nullable: true }],
    ['list[str]', 'words: list[str]', { 'x-order': 0, title: 'Words', items: { type: 'string' }, type: 'array' }],
    ['List[Path] with a default', 'files: List[Path] = Input(default=[])', { 'x-order': 0, title: 'Files', items: { format: 'uri', type: 'string' }, type: 'array', default: [] }],
    ['Optional[int]', 'seed: Optional[int] = None', { 'x-order': 0, title: 'Seed', type: 'integer', default: null, nullable: true }],
    ['int | None without default', 'seed: int | None', { 'x-order': 0, title: 'Seed', type: 'integer', nullable: true }],
    ['Union[str, None]', 's: Union[str, None] = Input(default=None)', { 'x-order': 0, title: 'S', type: 'string', default: null, nullable: true }],
    ['Optional[list[str]]', 'tags: Optional[list[str]] = None', { 'x-order': 0, title: 'Tags', items: { type: 'string' }, type: 'array', default: null, nullable: true }],
    ['int = Input(default=None) is optional, as Optional[int] would be', 'seed: int = Input(default=None)', { 'x-order': 0, title: 'Seed', type: 'integer', default: null, nullable: true }],
    ['Path = Input(default=None) too', 'image: Path = Input(default=None)', { 'x-order': 0, title: 'Image', format: 'uri', type: 'string', default: null, nullable: true }],
    ['list[str] | None', 'tags: list[str] | None = None', { 'x-order': 0, title: 'Tags', items: { type: 'string' }, type: 'array', default: null, nullable: true }],
    ['list[Path] | None', 'files: list[Path] | None = None', { 'x-order': 0, title: 'Files', items: { format: 'uri', type: 'string' }, type: 'array', default: null, nullable: true }],
    ['list[File] | None', 'files: list[File] | None = None', { 'x-order': 0, title: 'Files', items: { format: 'uri', type: 'string' }, type: 'array', default: null, nullable: true }],
    ['list[int] | list[float]', 'xs: list[int] | list[float]', { 'x-order': 0, title: 'Xs', anyOf: [{ items: { type: 'integer' }, type: 'array' }, { items: { type: 'number' }, type: 'array' }] }],
    ['pathlib.Path', 'p: pathlib.Path', { 'x-order': 0, title: 'P', format: 'uri', type: 'string' }],
    ['dict', 'options: dict = {}', { 'x-order': 0, title: 'Options', type: 'object', default: {} }],
    ['dict[str, Any]', 'options: dict[str, Any]', { 'x-order': 0, title: 'Options', type: 'object' }],
    ['Any', 'value: Any', { 'x-order': 0, title: 'Value', type: 'object' }],
    ['union of JSON types', 'size: int | str = 512', { 'x-order': 0, title: 'Size', anyOf: [{ type: 'integer' }, { type: 'string' }], default: 512 }],
    ['nullable union', 'size: Union[int, str, None] = None', { 'x-order': 0, title: 'Size', anyOf: [{ type: 'integer' }, { type: 'string' }], default: null, nullable: true }],
    ['string constraints', 'name: str = Input(min_length=2, max_length=8, regex=r"^\\w+$")', { 'x-order': 0, title: 'Name', type: 'string', minLength: 2, maxLength: 8, pattern: '^\\w+$' }],
    ['deprecated and accept', 'img: Path = Input(deprecated=True, accept="image/*")', { 'x-order': 0, title: 'Img', format: 'uri', type: 'string', deprecated: true, 'x-cog-accept': 'image/*' }],
    ['positional default', 'x: str = Input("hello", description="d")', { 'x-order': 0, title: 'X', type: 'string', default: 'hello', description: 'd' }],
    ['negative and hex numbers', 'x: int = Input(default=-0x10, ge=-100)', { 'x-order': 0, title: 'X', type: 'integer', default: -16, minimum: -100 }],
    ['string escapes and concatenation', 'x: str = Input(default="a\\tb" \'c\\u00e9\')', { 'x-order': 0, title: 'X', type: 'string', default: 'a\tbcé' }],
    ['Annotated[..., cog.Opaque]', 'x: Annotated[Foo, cog.Opaque]', { 'x-order': 0, title: 'X', type: 'object' }],
    ['a forward reference', 'x: "Optional[int]" = None', { 'x-order': 0, title: 'X', type: 'integer', default: null, nullable: true }],
    ['typing.Optional through the module', 'x: typing.Optional[str] = None', { 'x-order': 0, title: 'X', type: 'string', default: null, nullable: true }],
  ];

  it.each(cases)('%s', async (_name, parameter, expected) => {
    const schema = await inputSchema(parameter, 'import cog, typing\nfrom typing import Annotated\nclass Foo: ...');
    expect(Object.values(schema.properties as object)[0]).toEqual(expected);
  });

  it('writes each property with its keys sorted, as Go writes a map', async () => {
    const schema = await inputSchema('x: Optional[int] = Input(default=None, description="d", ge=1, le=9, deprecated=True)');
    expect(Object.keys((schema.properties as Record<string, object>).x!)).toEqual(['default', 'deprecated', 'description', 'maximum', 'minimum', 'nullable', 'title', 'type', 'x-order']);
  });

  it('takes a TypedDict, alone or as list[TD] | None, as upstream does: an object', async () => {
    const header = 'from typing import TypedDict\nclass Box(TypedDict):\n    x: int\n    y: int';
    const schema = await inputSchema('box: Box, boxes: list[Box] | None = None', header);
    expect(schema.properties).toEqual({
      box: { title: 'Box', type: 'object', 'x-order': 0 },
      boxes: { default: null, items: { type: 'object' }, nullable: true, title: 'Boxes', type: 'array', 'x-order': 1 },
    });
  });

  it('says so when default=None makes an input optional that upstream would require', async () => {
    const { schemaOf, predictor } = await import('./helpers.js');
    const warnings: string[] = [];
    await schemaOf(predictor('seed: int = Input(default=None), key: Secret = Input(default=None), tag: Optional[str] = None'), { warnings });
    expect(warnings).toEqual([
      'predict.py:5: parameter "seed" has default=None but its type int is not Optional: it is made optional (None when omitted), as older Cog did, where upstream\'s static schema makes it required — write Optional[int] to say so',
    ]);
  });

  it('lists required inputs in parameter order', async () => {
    const schema = await inputSchema('b: str, a: int = 1, c: Path = Input(description="c"), d: Optional[str] = None, e: int = Input(default=None)');
    expect(schema.required).toEqual(['b', 'c']);
    expect(Object.keys(schema.properties as object)).toEqual(['b', 'a', 'c', 'd', 'e']);
    expect(Object.keys(schema)).toEqual(['properties', 'required', 'title', 'type']);
  });

  it('omits required when nothing is', async () => {
    expect(await inputSchema('a: int = 1')).toEqual({ properties: { a: { 'x-order': 0, title: 'A', type: 'integer', default: 1 } }, title: 'Input', type: 'object' });
  });

  it('turns choices into an enum component named after the parameter', async () => {
    const { schemaOf, predictor } = await import('./helpers.js');
    const header = 'SIZES = [256, 512]\nEXTRA = {"a": 1, "b": 2}';
    const { document } = await schemaOf(
      predictor('mode: str = Input(choices=["fast", "slow"], default="fast"), size: int = Input(choices=SIZES), key: str = Input(choices=list(EXTRA.keys()) + ["c"])', 'str', header),
    );
    const schemas = document.components.schemas;
    expect(schemas.Input!.properties).toEqual({
      mode: { 'x-order': 0, allOf: [{ $ref: '#/components/schemas/mode' }], default: 'fast' },
      size: { 'x-order': 1, allOf: [{ $ref: '#/components/schemas/size' }] },
      key: { 'x-order': 2, allOf: [{ $ref: '#/components/schemas/key' }] },
    });
    expect(schemas.mode).toEqual({ description: 'An enumeration.', enum: ['fast', 'slow'], title: 'mode', type: 'string' });
    expect(schemas.size).toEqual({ description: 'An enumeration.', enum: [256, 512], title: 'size', type: 'integer' });
    expect(schemas.key).toMatchObject({ enum: ['a', 'b', 'c'] });
    expect(Object.keys(schemas).slice(0, 5)).toEqual(['Input', 'Output', 'mode', 'size', 'key']);
  });

  it('resolves module constants in defaults and descriptions, and class-level Input attributes', async () => {
    const header = 'DEFAULT = "x"\nDESCRIPTION = "from a constant"\nclass Shared:\n    prompt = Input(description="shared", default="hi")';
    const schema = await inputSchema('a: str = Input(default=DEFAULT, description=DESCRIPTION), b: str = Shared.prompt', header);
    expect(schema.properties).toEqual({
      a: { 'x-order': 0, title: 'A', type: 'string', default: 'x', description: 'from a constant' },
      b: { 'x-order': 1, title: 'B', type: 'string', default: 'hi', description: 'shared' },
    });
  });

  it('reads `import cog as c` and aliased imports', async () => {
    const { schemaOf } = await import('./helpers.js');
    const source = 'import cog as c\nfrom cog import Path as P, Input as I\nclass Predictor(c.BaseRunner):\n    def run(self, a: P = I(description="a"), b: c.Secret = c.Input(default=None)) -> c.Path:\n        ...\n';
    const { document } = await schemaOf(source);
    expect(document.components.schemas.Input!.properties).toEqual({
      a: { 'x-order': 0, title: 'A', format: 'uri', type: 'string', description: 'a' },
      b: { 'x-order': 1, title: 'B', format: 'password', type: 'string', writeOnly: true, 'x-cog-secret': true, default: null, nullable: true },
    });
    expect(document.components.schemas.Output).toEqual({ format: 'uri', title: 'Output', type: 'string' });
  });

  it('title-cases like upstream: only the first letter of each part', async () => {
    const schema = await inputSchema('max_new_tokens: int = 1, topP: float = 1.0, _private: str = ""');
    expect(Object.values(schema.properties as Record<string, { title: string }>).map((p) => p.title)).toEqual(['Max New Tokens', 'TopP', ' Private']);
  });

  it('treats a TypedDict input as an object', async () => {
    const schema = await inputSchema('options: Options', 'from typing import TypedDict\nclass Options(TypedDict):\n    a: int');
    expect(schema.properties).toEqual({ options: { 'x-order': 0, title: 'Options', type: 'object' } });
  });
});

describe('parameters that are not inputs', () => {
  it('skips self even when annotated, and *args, **kwargs and the * marker', async () => {
    const { schemaOf } = await import('./helpers.js');
    const source = 'from cog import BaseRunner\nclass Predictor(BaseRunner):\n    def run(self: "Predictor", a: int, *args: str, b: str = "x", **kwargs: int) -> str:\n        ...\n';
    const { document } = await schemaOf(source);
    expect(Object.keys(document.components.schemas.Input!.properties as object)).toEqual(['a', 'b']);
    expect((document.components.schemas.Input!.properties as Record<string, { 'x-order': number }>).b!['x-order']).toBe(1);
  });

  it('reads the method from a base class in the same file, and the async form', async () => {
    const { schemaOf } = await import('./helpers.js');
    const source = 'from cog import BaseRunner\nclass Base(BaseRunner):\n    async def run(self, a: int) -> str:\n        ...\nclass Predictor(Base):\n    def setup(self):\n        pass\n';
    const { document } = await schemaOf(source);
    expect(Object.keys(document.components.schemas.Input!.properties as object)).toEqual(['a']);
  });
});
