/**
 * The distinct series shapes of a series answer, collected as the streaming reader
 * (series-scan.ts) finishes each series. Label and metric names are interned, so the shapes of
 * 200 000 series share one string per distinct name.
 */

export interface SeriesShape {
  name: string;
  /** Sorted, without __name__. */
  labels: readonly string[];
}

export class ShapeSet {
  private readonly interned = new Map<string, string>();
  private readonly shapes = new Map<string, SeriesShape>();

  /** The one string kept for every name equal to `s`. */
  intern(s: string): string {
    const known = this.interned.get(s);
    if (known !== undefined) return known;
    this.interned.set(s, s);
    return s;
  }

  /** One series: its metric name and its label names as read (without __name__). */
  add(name: string, labels: readonly string[]): void {
    let sorted = true;
    for (let j = 1; j < labels.length && sorted; j++)
      sorted = (labels[j - 1] as string) < (labels[j] as string);
    // Prometheus writes labels sorted; anything else (or a repeated key) is put in that order here.
    const names = sorted ? labels : [...new Set(labels)].sort();
    const key = `${name}\u0000${names.join('\u0000')}`;
    if (this.shapes.has(key)) return;
    this.shapes.set(key, { name: this.intern(name), labels: [...names] });
  }

  /** Distinct shapes in order of first appearance. */
  list(): SeriesShape[] {
    return [...this.shapes.values()];
  }
}
