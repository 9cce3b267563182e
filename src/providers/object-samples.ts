/**
 * Matching the samples of a split query to the objects it names. A request over thousands of
 * objects runs as several queries (--max-query-length); their answers are read as each arrives,
 * while Prometheus still evaluates the others, instead of after the last one, and the objects'
 * positions come from an index kept with the rendered PromQL instead of a map built per request.
 * The result is the one of reading the answers concatenated in part order: for an object named
 * by several series, the first series in that order wins.
 */
import type { Sample } from '../prometheus/index.js';

/** Positions of the object names of one request, built once per list of names. */
export class NameIndex {
  readonly positions = new Map<string, number>();
  /** Per position, the first position with the same name; undefined when no name repeats. */
  readonly first: Int32Array | undefined;

  constructor(readonly names: readonly string[]) {
    let repeats = false;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      if (this.positions.has(name)) repeats = true;
      else this.positions.set(name, i);
    }
    this.first = repeats ? Int32Array.from(names, (name) => this.positions.get(name) ?? 0) : undefined;
  }

  get size(): number {
    return this.names.length;
  }
}

export class ObjectSamples {
  private readonly slots: (Sample | undefined)[];
  /** The part each slot's sample came from, to keep the first in part order. */
  private readonly partOf: Int32Array;
  /** Names not in the list: they are never answered, but count for `duplicates`. */
  private readonly others = new Set<string>();
  private named = 0;
  private filled = 0;

  constructor(
    private readonly index: NameIndex,
    private readonly label: string,
  ) {
    this.slots = new Array<Sample | undefined>(index.size);
    this.partOf = new Int32Array(index.size);
  }

  /** The samples of part `part` (parts may arrive in any order). */
  add(part: number, samples: readonly Sample[]): void {
    const positions = this.index.positions;
    for (const s of samples) {
      const name = s.labels[this.label];
      if (name === undefined) continue;
      this.named++;
      const at = positions.get(name);
      if (at === undefined) {
        this.others.add(name);
        continue;
      }
      const held = this.slots[at];
      if (held === undefined) {
        this.slots[at] = s;
        this.partOf[at] = part;
        this.filled++;
      } else if ((this.partOf[at] ?? 0) > part) {
        this.slots[at] = s;
        this.partOf[at] = part;
      }
    }
  }

  /** Samples that named an object another sample had already named. */
  get duplicates(): number {
    return this.named - this.filled - this.others.size;
  }

  /** The sample of the object at `position` in the request's names. */
  at(position: number): Sample | undefined {
    const first = this.index.first;
    return this.slots[first === undefined ? position : (first[position] ?? position)];
  }
}
