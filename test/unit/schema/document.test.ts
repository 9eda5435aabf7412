import { describe, expect, it } from 'vitest';
import { generateSchema, renderSchemaJson } from '../../../src/schema/index.js';
import { fixture } from '../../support/paths.js';
import { predictor, schemaOf } from './helpers.js';

describe('fixture schemas', () => {
  it('the deprecated predict() is reported, run() is not', async () => {
    const warnings: string[] = [];
    await generateSchema({ projectDir: fixture('many-inputs'), predict: 'predict.py:Predictor', onWarning: (w) => warnings.push(w) });
    await generateSchema({ projectDir: fixture('complex-output'), predict: 'predict.py:Predictor', onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual(['predict.py:29: Predictor.predict() is deprecated — rename it to run() (and BasePredictor to BaseRunner)']);
  });
});

describe('document skeleton (predict.md §3.5)', () => {
  it('orders paths, components and keys as upstream writes them', async () => {
    const { document, json } = await schemaOf(predictor('x: str = Input(choices=["a", "b"])'));
    expect(Object.keys(document)).toEqual(['components', 'info', 'openapi', 'paths']);
    expect(document.info).toEqual({ title: 'Cog', version: '0.1.0' });
    expect(Object.keys(document.paths)).toEqual(['/', '/health-check', '/predictions', '/predictions/{prediction_id}/cancel']);
    expect(Object.keys(document.components.schemas)).toEqual(['Input', 'Output', 'x', 'PredictionRequest', 'PredictionResponse', 'Status', 'HTTPValidationError', 'ValidationError']);
    expect(json.startsWith('{"components":{"schemas":{"Input":{"properties":{"x":{"allOf":[{"$ref":"#/components/schemas/x"}],"x-order":0}},"required":["x"],"title":"Input","type":"object"},"Output":{"title":"Output","type":"string"},"x":{"description":"An enumeration.","enum":["a","b"],"title":"x","type":"string"},')).toBe(true);
    expect(json).toContain('"/predictions/{prediction_id}/cancel":{"post":{"operationId":"cancel_predictions__prediction_id__cancel_post","parameters":[{"in":"path","name":"prediction_id","required":true,"schema":{"title":"Prediction Id","type":"string"}}],"responses":{"200":{"content":{"application/json":{"schema":{}}},"description":"Successful Response"},"422":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/HTTPValidationError"}}},"description":"Validation Error"}},"summary":"Cancel"}}');
    expect(json).not.toContain('\n');
  });

  it('train mode uses the training names', async () => {
    const source = 'from cog import BaseRunner\nclass Trainer(BaseRunner):\n    def train(self, steps: int = 10) -> str:\n        ...\n';
    const { document } = await schemaOf(source, { train: 'predict.py:Trainer' });
    expect(Object.keys(document.paths)).toEqual(['/', '/health-check', '/trainings', '/trainings/{training_id}/cancel']);
    expect(Object.keys(document.components.schemas)).toEqual(['TrainingInput', 'TrainingOutput', 'TrainingRequest', 'TrainingResponse', 'Status', 'HTTPValidationError', 'ValidationError']);
    expect(document.components.schemas.TrainingInput).toMatchObject({ title: 'TrainingInput' });
    expect(document.components.schemas.TrainingOutput).toEqual({ title: 'Output', type: 'string' });
    expect((document.paths['/trainings'] as { post: object }).post).toMatchObject({ operationId: 'train_trainings_post', summary: 'Train', description: 'Run a single training on the model' });
  });

  it('predict and train merge into one document, keys sorted and indented, as upstream prints it', async () => {
    const source = [
      'from cog import BaseRunner',
      'class Predictor(BaseRunner):',
      '    def run(self, b: str, a: int = 1) -> str:',
      '        ...',
      'def train(steps: int) -> str:',
      '    ...',
    ].join('\n');
    const { document, json } = await schemaOf(source, { predict: 'predict.py:Predictor', train: 'predict.py:train' });
    expect(Object.keys(document.paths)).toEqual(['/', '/health-check', '/predictions', '/predictions/{prediction_id}/cancel', '/trainings', '/trainings/{training_id}/cancel']);
    expect(Object.keys(document.components.schemas.Input!.properties as object)).toEqual(['a', 'b']);
    expect(document.components.schemas.TrainingInput!.properties).toEqual({ steps: { title: 'Steps', type: 'integer', 'x-order': 0 } });
    expect(json).toBe(renderSchemaJson(document, { indent: true }));
    expect(json).toMatch(/^\{\n {2}"components": \{\n {4}"schemas": \{\n {6}"HTTPValidationError"/);
  });

  it('escapes <, > and & the way Go does', async () => {
    const { json } = await schemaOf(predictor('x: str = Input(description="a <b> & c")'));
    expect(json).toContain('"description":"a \\u003cb\\u003e \\u0026 c"');
    expect(JSON.parse(json).components.schemas.Input.properties.x.description).toBe('a <b> & c');
  });

  it('a function predictor has no self to skip', async () => {
    const { document } = await schemaOf('from cog import Input\ndef predict(text: str = Input(description="t")) -> str:\n    return text\n', { predict: 'predict.py:predict' });
    expect(document.components.schemas.Input!.properties).toEqual({ text: { 'x-order': 0, title: 'Text', type: 'string', description: 't' } });
  });

});
