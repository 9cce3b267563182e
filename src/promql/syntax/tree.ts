/** Access to the lezer PromQL grammar (the one Prometheus' own web UI uses). */
import { parser } from '@prometheus-io/lezer-promql';

export type PromQLTree = ReturnType<typeof parser.parse>;
export type PromQLNode = PromQLTree['topNode'];

export function parsePromQLTree(query: string): PromQLTree {
  return parser.parse(query);
}

/** Direct children of `node`, without comments (the grammar keeps `# …` comments as nodes). */
export function childNodes(node: PromQLNode): PromQLNode[] {
  const children: PromQLNode[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (child.name !== 'LineComment') children.push(child);
  }
  return children;
}

export function nodeText(source: string, node: PromQLNode): string {
  return source.slice(node.from, node.to);
}
