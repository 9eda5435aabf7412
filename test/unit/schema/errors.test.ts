import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { predictor, schemaError, schemaOf } from './helpers.js';

// The table's predictors have their run() signature on line 6 of predict.py.
describe('errors name the file and line, and what to do', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['a set input', 's: set[str]', 'str', /^predict\.py:6: unsupported input type "set\[str\]" for parameter "s" — set\[\.\.\.\] is not a supported input type$/],
    ['an unknown class', 'x: Image', 'str', /^predict\.py:6: unsupported input type "Image" for parameter "x" — use str, int, float, bool, Path, Secret/],
    ['a BaseModel input', 'x: Model', 'str', /^predict\.py:6: .*"x" — a BaseModel can be an output, not an input/],
    ['Literal', 'x: Literal["a", "b"]', 'str', /^predict\.py:6: .*Literal\[\.\.\.\] is not a supported input type; use str = Input\(choices=\[\.\.\.\]\)/],
    ['a nested list', 'x: list[list[int]]', 'str', /^predict\.py:6: .*nested types/],
    ['a Path in a union', 'x: Path | str', 'str', /^predict\.py:6: .*Path cannot be part of a union/],
    ['no annotation', 'x', 'str', /^predict\.py:6: parameter "x" of Predictor\.run\(\) has no type annotation — annotate it, e\.g\. x: str$/],
    ['no annotation with a default', 'x=1', 'str', /^predict\.py:6: parameter "x" of Predictor\.run\(\) has no type annotation/],
    ['default_factory', 'x: list[str] = Input(default_factory=list)', 'str', /^predict\.py:6: default_factory is not supported in Input\(\) \(parameter "x"\) — use a literal default value instead$/],
    ['a computed default', 'x: int = Input(default=compute())', 'str', /^predict\.py:6: default value for parameter "x" cannot be statically resolved: `compute\(\)`/],
    ['computed choices', 'x: str = Input(choices=make())', 'str', /^predict\.py:6: choices for parameter "x" cannot be statically resolved/],
    ['an unknown Input() keyword', 'x: str = Input(help="h")', 'str', /^predict\.py:6: Input\(\) got an unexpected keyword argument "help"/],
    ['ge on a string', 'x: str = Input(ge=1)', 'str', /^predict\.py:6: parameter "x": ge= and le= need an int or float input, not str$/],
    ['a default out of bounds', 'x: int = Input(default=10, le=5)', 'str', /^predict\.py:6: invalid default for parameter "x": 10 is above le=5$/],
    ['no choices', 'x: str = Input(choices=[])', 'str', /must have at least 2 elements/],
    ['a primitive name from a foreign module', 'x: Secret', 'str', /^predict\.py:6: unsupported input type "Secret" for parameter "x" — Secret is imported from mylib, so it cannot be resolved statically; import it from cog$/],
    ['mixed choices', 'x: int = Input(choices=[1, "2"])', 'str', /choice "2" is not a int like the input/],
    ['accept on a string', 'x: str = Input(accept="image/*")', 'str', /^predict\.py:6: accept is only valid on Path or File inputs \(parameter 'x'\)$/],
    ['constraints on a union', 'x: int | float = Input(ge=0)', 'str', /constraints and choices are not allowed on a union type/],
    ['an Optional output', '', 'Optional[str]', /^predict\.py:6: unsupported output type "Optional\[str\]": Optional is not allowed as a return type/],
    ['a nullable union output', '', 'str | None', /Optional is not allowed as a return type/],
    ['a union output', '', 'Union[str, int]', /union types are not supported as output/],
    ['ConcatenateIterator of int', '', 'ConcatenateIterator[int]', /^predict\.py:6: ConcatenateIterator element type must be str, got int/],
    ['an external output type', '', 'np.ndarray', /^predict\.py:6: cannot resolve output type "ndarray" \(imported from "numpy"\) — external types cannot be statically analyzed/],
    ['an unknown output type', '', 'Mystery', /^predict\.py:6: cannot resolve output type "Mystery" — it is not a primitive type/],
    ['a None output', '', 'None', /^predict\.py:6: the return type is None/],
  ];

  it.each(cases)('%s', async (_name, parameters, returns, expected) => {
    const source = [
      'from typing import Any, Optional, Union, Literal',
      'from cog import BaseRunner, BaseModel, Input, Path, ConcatenateIterator',
      'import numpy as np; from mylib import Secret',
      'class Model(BaseModel): a: int',
      'class Predictor(BaseRunner):',
      `    def run(self, ${parameters}) -> ${returns}:`,
      '        ...',
    ].join('\n');
    expect(await schemaError(source)).toMatch(expected);
  });

  it('takes one choice, with a warning: upstream\'s static schema does', async () => {
    const warnings: string[] = [];
    const { document } = await schemaOf(predictor('res: str = Input(choices=["480p"], default="480p")'), { warnings });
    expect(document.components.schemas.res).toEqual({ description: 'An enumeration.', enum: ['480p'], title: 'res', type: 'string' });
    expect(warnings).toEqual([expect.stringMatching(/^predict\.py:5: parameter "res": choices=\["480p"\] has one element; .*setup fails/)]);
  });

  it('is a UserError with no stack to show', async () => {
    await expect(schemaOf(predictor('x: set[int]'))).rejects.toBeInstanceOf(UserError);
  });

  it('a missing return annotation', async () => {
    expect(await schemaError('from cog import BaseRunner\nclass Predictor(BaseRunner):\n    def run(self, x: str):\n        ...\n')).toBe(
      'predict.py:3: Predictor.run() has no return type annotation — add one, e.g. "-> str" or "-> Path"',
    );
  });

  it('a missing file names what is there', async () => {
    expect(await schemaError('', {}, 'model.py:Predictor')).toMatch(/^cog\.yaml: run: "model\.py:Predictor": model\.py does not exist in \/project/);
  });

  it('a missing class names the classes and functions found', async () => {
    expect(await schemaError('class Runner:\n    pass\ndef helper():\n    pass\n')).toBe(
      'predict.py: no class or function named "Predictor" at module level — found class Runner, function helper()',
    );
  });

  it('a class without run() or predict() names its methods', async () => {
    expect(await schemaError('from cog import BaseRunner\n\nclass Predictor(BaseRunner):\n    def setup(self):\n        pass\n')).toBe(
      'predict.py:3: class Predictor has no run() or predict() method — found setup()',
    );
  });

  it('both run() and predict()', async () => {
    expect(await schemaError('class Predictor:\n    def run(self) -> str: ...\n    def predict(self) -> str: ...\n')).toMatch(/^predict\.py:3: Predictor must define either run\(\) or predict\(\), not both/);
  });

  it('an invalid reference', async () => {
    expect(await schemaError('', {}, 'predict.py')).toMatch(/^cog\.yaml: run: invalid predictor reference "predict\.py" — expected file\.py:ClassName/);
  });

  it('a syntax error in the entry point', async () => {
    expect(await schemaError('from cog import BaseRunner\nclass Predictor(BaseRunner):\n    def run(self, x: str = ) -> str:\n        ...\n')).toMatch(/^predict\.py:3: Python syntax error/);
  });

  it('a syntax error that hides the class', async () => {
    expect(await schemaError('def broken(:\n    pass\n')).toMatch(/^predict\.py:1: Python syntax error/);
  });

  it('@cog.streaming without an iterator', async () => {
    expect(await schemaError('import cog\nclass Predictor(cog.BaseRunner):\n    @cog.streaming()\n    def run(self) -> str:\n        ...\n')).toBe(
      'predict.py:4: @cog.streaming needs Predictor.run() to return an Iterator or ConcatenateIterator, not str',
    );
  });

  it('an error in an imported model points into that file', async () => {
    const files = { 'out.py': 'from cog import BaseModel\n\nclass Result(BaseModel):\n    a: str | int\n' };
    expect(await schemaError('from cog import BaseRunner\nfrom out import Result\nclass Predictor(BaseRunner):\n    def run(self) -> Result: ...\n', files)).toMatch(
      /^out\.py:4: unsupported output type "str \| int": union types are not supported as output/,
    );
  });
});
