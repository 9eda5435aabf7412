/**
 * "Did you mean" for a misspelt key: the closest known key by edit distance (adjacent swaps
 * count as one edit, case and `-`/`_` are ignored), if it is close enough to be a likely typo.
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const wanted = comparable(unknown);
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(wanted, comparable(key));
    if (!best || distance < best.distance) best = { key, distance };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(wanted.length, best.key.length) / 3));
  return best.distance <= allowed ? best.key : undefined;
}

function comparable(key: string): string {
  return key.toLowerCase().replace(/-/g, '_');
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  // Keys longer than this are not typos of a cog.yaml key; skip the quadratic work.
  if (Math.abs(a.length - b.length) > 16) return Math.abs(a.length - b.length);
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(value);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
