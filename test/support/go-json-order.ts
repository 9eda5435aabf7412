/**
 * An independent check of the schema label's key order, written from the rule rather than from
 * cogpack's output: Go's encoding/json writes a map with its keys sorted (by bytes), and upstream
 * builds the document from maps except for three ordered maps — `paths`, `components.schemas`,
 * and the `properties` of the Input component and of object outputs (parameter and field order).
 * A document that is a merged predict+train one went through `map[string]any` whole: every key is
 * sorted there.
 *
 * Returns where the order is wrong, as JSON-pointer-like paths; empty when it is right.
 */
export function goKeyOrderProblems(json: string): string[] {
  const document = JSON.parse(json) as unknown;
  const merged = json.includes('\n');
  const problems: string[] = [];
  walk(document, [], { merged, problems });
  return problems;
}

interface Walk {
  merged: boolean;
  problems: string[];
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function isOrderedMap(at: string[]): boolean {
  const joined = at.join('/');
  if (joined === 'paths' || joined === 'components/schemas') return true;
  if (at.at(-1) !== 'properties') return false;
  const component = at[2];
  const inInput = at.length === 4 && (component === 'Input' || component === 'TrainingInput');
  const inOutput = component === 'Output' || component === 'TrainingOutput';
  return at[0] === 'components' && at[1] === 'schemas' && (inInput || inOutput);
}

function walk(value: unknown, at: string[], state: Walk): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, [...at, String(index)], state));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const keys = Object.keys(value);
  const sorted = [...keys].sort(byteOrder);
  if ((state.merged || !isOrderedMap(at)) && keys.join('\0') !== sorted.join('\0')) {
    state.problems.push(`/${at.join('/')}: ${keys.join(', ')}`);
  }
  for (const key of keys) walk((value as Record<string, unknown>)[key], [...at, key], state);
}
