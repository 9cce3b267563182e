/**
 * Reads an /api/v1/series answer as its bytes arrive and keeps only the series *shapes*: each
 * series' name with its label names, once per distinct shape. Discovery needs nothing else, and
 * an answer of a quarter of a million series is ~45 MB of JSON that would otherwise be held as
 * text, then as parsed objects, then as copies (the peak memory of the adapter).
 *
 * On the incremental JSON tokenizer of json-stream.ts (malformed or truncated answers are errors,
 * not misreadings), a reader of the envelope
 * `{"status":…,"data":[{label:value,…},…],"errorType":…,"error":…,"warnings":…}` that decodes only
 * what it keeps (top-level keys, status and error strings, label names, metric names) and skips
 * every label value without building a string for it. The strings it keeps across chunks are in
 * json-bytes.ts; the shapes are collected, names interned, in shape-set.ts.
 */
import { describe, KeptString } from './json-bytes.js';
import { JsonStream, LBRACE, LBRACKET, QUOTE } from './json-stream.js';
import { ShapeSet, type SeriesShape } from './shape-set.js';

export { MalformedAnswerError } from './json-stream.js';

export interface SeriesAnswer {
  status: string | undefined;
  errorType: string | undefined;
  error: string | undefined;
  /** Whether a `data` array was present. */
  hasData: boolean;
  /** Series objects read (named or not). */
  series: number;
  /** Distinct shapes in order of first appearance. */
  shapes: SeriesShape[];
}

// What a string being read is for.
const SKIP = 0;
const TOP_KEY = 1;
const LABEL_KEY = 2;
const TOP_VALUE = 3;
const NAME_VALUE = 4;

const NAME_LABEL = '__name__';

export class SeriesShapeScanner extends JsonStream {
  // The string being read.
  private role = SKIP;
  private readonly kept = new KeptString();
  // The envelope.
  private topKey = '';
  private inData = false;
  private hasData = false;
  private status: string | undefined;
  private errorType: string | undefined;
  private error: string | undefined;
  // The series being read.
  private labelKey = '';
  private name: string | undefined;
  private readonly labels: string[] = [];
  private seriesCount = 0;
  private readonly shapes = new ShapeSet();

  /** The answer is complete: what it said, or MalformedAnswerError when it stopped early. */
  end(): SeriesAnswer {
    this.finish();
    return {
      status: this.status,
      errorType: this.errorType,
      error: this.error,
      hasData: this.hasData,
      series: this.seriesCount,
      shapes: this.shapes.list(),
    };
  }

  protected beginKey(i: number): void {
    const depth = this.stack.length;
    if (depth === 1) this.keep(TOP_KEY, i);
    else if (depth === 3 && this.inData) this.keep(LABEL_KEY, i);
    else this.role = SKIP;
  }

  protected beginValue(c: number, i: number): void {
    const depth = this.stack.length;
    const element = this.inData && depth === 2;
    const labelValue = this.inData && depth === 3;
    if (c === QUOTE) {
      if (depth === 0) throw this.malformed(i, 'the answer is a string, not an object');
      if (element) throw this.malformed(i, 'a series that is not an object');
      if (labelValue && this.labelKey === NAME_LABEL) this.keep(NAME_VALUE, i);
      else if (
        depth === 1 &&
        (this.topKey === 'status' || this.topKey === 'errorType' || this.topKey === 'error')
      )
        this.keep(TOP_VALUE, i);
      else this.role = SKIP;
      return;
    }
    if (labelValue) throw this.malformed(i, `the value of label ${this.labelKey} is not a string`);
    if (c === LBRACE) {
      if (element) {
        this.name = undefined;
        this.labels.length = 0;
      }
      return;
    }
    if (depth === 0) throw this.malformed(i, `the answer starts with ${describe(c)}, not an object`);
    if (element) throw this.malformed(i, 'a series that is not an object');
    if (c === LBRACKET && depth === 1 && this.topKey === 'data') {
      this.inData = true;
      this.hasData = true;
    }
  }

  protected closed(depth: number): void {
    if (this.inData && depth === 3) this.endSeries();
    else if (this.inData && depth === 2) this.inData = false;
  }

  private keep(role: number, i: number): void {
    this.role = role;
    this.kept.begin(i);
  }

  /** What is kept of the string so far must outlive the chunk. */
  protected carryString(chunk: Uint8Array): void {
    if (this.role !== SKIP) this.kept.carry(chunk);
  }

  protected endString(chunk: Uint8Array, i: number): void {
    const role = this.role;
    if (role === SKIP) return;
    const bytes = this.kept.end(chunk, i);
    if (this.kept.truncated && role !== TOP_VALUE)
      throw this.malformed(i, `a ${role === NAME_VALUE ? 'metric' : 'label'} name longer than 64 KiB`);
    const text = this.decode(bytes, i);
    switch (role) {
      case TOP_KEY:
        this.topKey = text;
        break;
      case LABEL_KEY:
        this.labelKey = this.shapes.intern(text);
        break;
      case TOP_VALUE:
        if (this.topKey === 'status') this.status = text;
        else if (this.topKey === 'errorType') this.errorType = text;
        else this.error = text;
        break;
      case NAME_VALUE:
        this.name = text;
        break;
    }
    if (role === LABEL_KEY && this.labelKey !== NAME_LABEL) this.labels.push(this.labelKey);
  }

  private decode(bytes: Buffer, i: number): string {
    const raw = bytes.toString('utf8');
    if (!this.escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      // Only a cut error message can end inside an escape; keep it as it came.
      if (this.kept.truncated) return raw;
      throw this.malformed(i, 'a string that does not decode');
    }
  }

  private endSeries(): void {
    this.seriesCount++;
    if (this.name !== undefined && this.name !== '') this.shapes.add(this.name, this.labels);
  }
}
