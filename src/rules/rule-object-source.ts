/**
 * Where rule objects come from before they are compiled: YAML text (a file for `check`: several
 * documents separated by `---`, or a `kind: List` with `items`), whose values keep their
 * line:col, or a plain value (an object as the Kubernetes API returns it), which has no position.
 * Both end up as a YAML node, so one schema reader serves the rules file and the objects.
 */
import { Document, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { YamlReader, type Diagnostic, type SourceLocation } from '../config/rules-file.js';

/** One object, ready to be compiled; its own document's YAML errors, if any, are all it reports. */
export interface RuleObjectSource {
  /** The file for objects read from text; a description (`MetricRule team-a/cpu`) otherwise. */
  file: string;
  /** The object's node; null when its document does not parse. */
  node: Node | null;
  at: SourceLocation;
  /** YAML syntax errors of the object's document (the object is then not looked at). */
  syntaxErrors: Diagnostic[];
  /** A reader for the object's values, placing them in the text they were read from. */
  reader(): YamlReader;
}

function textSource(
  file: string,
  text: string,
  counter: LineCounter,
  node: Node | null,
  syntaxErrors: Diagnostic[],
  offset: number,
): RuleObjectSource {
  const pos = counter.linePos(offset);
  return {
    file,
    node,
    at: { file, line: pos.line, column: pos.col },
    syntaxErrors,
    reader: () => new YamlReader(file, text, counter),
  };
}

function isEmpty(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/** `kind: List` (what `kubectl get -o yaml` prints): its items are the objects. */
function listItems(node: Node): Node[] | undefined {
  if (!isMap(node)) return undefined;
  const kind = node.get('kind', true);
  if (!isScalar(kind) || kind.value !== 'List') return undefined;
  const items = node.get('items', true);
  return isSeq(items) ? (items.items as Node[]) : [];
}

/**
 * The objects of a YAML text, in order: each document is one object, or a List of them; empty
 * documents are skipped. A document that is not YAML becomes one source holding its errors, so
 * the objects around it are still read.
 */
export function readRuleObjectSources(text: string, file: string): RuleObjectSource[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
  });
  const out: RuleObjectSource[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    const start = doc.range[0];
    if (doc.errors.length > 0) {
      const errors = doc.errors.map((err): Diagnostic => {
        const pos = counter.linePos(err.pos[0]);
        return {
          severity: 'error',
          at: { file, line: pos.line, column: pos.col },
          path: '',
          message: `YAML syntax: ${err.message.split('\n')[0] ?? err.message}`,
        };
      });
      out.push(textSource(file, text, counter, null, errors, start));
      continue;
    }
    const root = doc.contents as Node | null;
    if (root === null || isEmpty(root)) continue;
    const items = listItems(root);
    for (const node of items ?? [root]) {
      if (isEmpty(node)) continue;
      out.push(textSource(file, text, counter, node, [], node.range?.[0] ?? start));
    }
  }
  return out;
}

/** `MetricRule team-a/cpu`, as far as the value tells, for messages about an object without a file. */
export function describeRuleObject(value: unknown): string {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const meta = (typeof v['metadata'] === 'object' && v['metadata'] !== null ? v['metadata'] : {}) as Record<
    string,
    unknown
  >;
  const kind = typeof v['kind'] === 'string' ? v['kind'] : 'rule object';
  const name = typeof meta['name'] === 'string' ? meta['name'] : '(no name)';
  const namespace = typeof meta['namespace'] === 'string' ? `${meta['namespace']}/` : '';
  return `${kind} ${namespace}${name}`;
}

/** An object given as a value (from the Kubernetes API): no text, so no line:col. */
export function valueRuleObjectSource(value: unknown, file = describeRuleObject(value)): RuleObjectSource {
  const node = new Document(value).contents;
  return {
    file,
    node,
    at: { file, line: 0, column: 0 },
    syntaxErrors: [],
    reader: () => new YamlReader(file, '', new LineCounter()),
  };
}
