/**
 * "Did you mean" for mistyped names (flags): the closest candidate by Damerau–Levenshtein
 * distance (optimal string alignment: insertions, deletions, substitutions and swaps of two
 * adjacent characters each cost 1), accepted only when the distance is small relative to the
 * length of the name, so a wild guess gets no suggestion rather than a misleading one.
 */

/** Optimal-string-alignment distance; case-insensitive because a flag typed in capitals is still a typo. */
export function damerauLevenshtein(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // Three rolling rows: the swap case looks two rows back.
  let before = new Array<number>(t.length + 1).fill(0);
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  let cur = new Array<number>(t.length + 1).fill(0);
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      cur[j] = d;
    }
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[t.length] ?? 0;
}

/**
 * The largest distance still taken for a typo of a name this long: none below three characters
 * (any one-letter name is one edit from every other), then about one edit in four characters,
 * at least one and never more than three.
 */
export function suggestionThreshold(name: string): number {
  if (name.length < 3) return 0;
  return Math.min(3, Math.max(1, Math.floor(name.length / 4)));
}

/** The candidate closest to `name` within the threshold (the first listed wins a tie), if any. */
export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  const limit = suggestionThreshold(name);
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = damerauLevenshtein(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
