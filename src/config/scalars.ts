/**
 * What a scalar's text means in a typed field. Upstream decodes cog.yaml into typed Go fields, and
 * its YAML library still reads the YAML 1.1 spellings of a boolean there (`yes`, `off`, `y`…).
 */
const booleanSpellings = new Map<string, boolean>([
  ...['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'y', 'Y'].map((s) => [s, true] as const),
  ...['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'n', 'N'].map((s) => [s, false] as const),
]);

export function parseYamlBoolean(text: string): boolean | undefined {
  return booleanSpellings.get(text);
}

/** Decimal, `0x` hex and `0o` octal integers, as YAML's core schema writes them. */
export function parseYamlInteger(text: string): number | undefined {
  const match = /^([-+]?)(?:(0x[0-9a-fA-F]+)|0o([0-7]+)|([0-9]+))$/.exec(text.trim());
  if (!match) return undefined;
  const [, sign, hex, octal, decimal] = match;
  const magnitude = hex ? Number.parseInt(hex, 16) : octal ? Number.parseInt(octal, 8) : Number(decimal);
  const value = sign === '-' ? -magnitude : magnitude;
  return Number.isSafeInteger(value) ? value : undefined;
}
