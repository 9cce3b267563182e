/**
 * The template's structure: text and actions, and the control structures if/with/range with their
 * else chains, {{end}}, break and continue (define, template and block are refused here).
 */
import type { ActionNode, Branch, ConditionalNode, Node, RangeNode } from '../ast.js';
import { pipeline } from './pipeline.js';
import type { ParseState } from './state.js';

/** What an {{end}} or {{else}} action parses to; only the enclosing structure consumes it. */
interface EndMarker {
  readonly type: 'endMarker';
  readonly pos: number;
}

interface ElseMarker {
  readonly type: 'elseMarker';
  readonly pos: number;
}

type ListItem = Node | EndMarker | ElseMarker;

export function parse(p: ParseState): Node[] {
  const root: Node[] = [];
  while (p.peek().type !== 'eof') {
    const n = textOrAction(p);
    if (n.type === 'endMarker') p.errorAt(n.pos, 'unexpected {{end}}');
    if (n.type === 'elseMarker') p.errorAt(n.pos, 'unexpected {{else}}');
    root.push(n);
  }
  return root;
}

/** Items up to the {{end}} or {{else}} that closes the enclosing structure. */
function itemList(p: ParseState): { list: Node[]; next: EndMarker | ElseMarker } {
  const list: Node[] = [];
  while (p.peekNonSpace().type !== 'eof') {
    const n = textOrAction(p);
    if (n.type === 'endMarker' || n.type === 'elseMarker') return { list, next: n };
    list.push(n);
  }
  p.errorAt(p.source.length, 'unexpected EOF');
}

function textOrAction(p: ParseState): ListItem {
  const t = p.nextNonSpace();
  switch (t.type) {
    case 'text':
      return { type: 'text', pos: t.pos, text: t.val };
    case 'leftDelim': {
      p.actionStart = t.pos;
      const n = action(p);
      // As in Go, an enclosing action is forgotten once a nested one ends.
      p.actionStart = -1;
      return n;
    }
    default:
      p.unexpected(t, 'input');
  }
}

function action(p: ParseState): ListItem {
  const t = p.nextNonSpace();
  switch (t.type) {
    case 'block':
    case 'define':
    case 'template':
      p.errorAt(t.pos, `{{${t.val}}} is not supported in metricsQuery templates`);
      break;
    case 'break':
    case 'continue': {
      const close = p.nextNonSpace();
      if (close.type !== 'rightDelim') p.unexpected(close, `{{${t.val}}}`);
      if (p.rangeDepth === 0) p.errorAt(t.pos, `{{${t.val}}} outside {{range}}`);
      return { type: t.type, pos: t.pos };
    }
    case 'else': {
      // "else if"/"else with" leave the keyword for the enclosing structure to pick up.
      const following = p.peekNonSpace();
      if (following.type !== 'if' && following.type !== 'with') p.expect('rightDelim', 'else');
      return { type: 'elseMarker', pos: t.pos };
    }
    case 'end':
      p.expect('rightDelim', 'end');
      return { type: 'endMarker', pos: t.pos };
    case 'if':
    case 'with':
      return conditional(p, t.type, t.pos);
    case 'range':
      return rangeControl(p, t.pos);
    default:
      break;
  }
  p.backup();
  const first = p.peek();
  const node: ActionNode = { type: 'action', pos: first.pos, pipe: pipeline(p, 'command', 'rightDelim') };
  return node;
}

/** if/with and their else-if/else-with chain; variables declared anywhere in it live until its end. */
function conditional(p: ParseState, kind: 'if' | 'with', pos: number): ConditionalNode {
  p.enter(pos);
  const mark = p.vars.length;
  const branches: Branch[] = [];
  let elseList: Node[] | null = null;
  for (;;) {
    const pipe = pipeline(p, kind, 'rightDelim');
    const { list, next } = itemList(p);
    branches.push({ pipe, list });
    if (next.type === 'endMarker') break;
    if (p.peek().type === kind) {
      p.next();
      continue;
    }
    const rest = itemList(p);
    if (rest.next.type !== 'endMarker') p.errorAt(rest.next.pos, 'expected end; found {{else}}');
    elseList = rest.list;
    break;
  }
  p.vars.length = mark;
  p.leave();
  const first = branches[0];
  return { type: kind, pos: first === undefined ? pos : first.pipe.pos, branches, elseList };
}

function rangeControl(p: ParseState, pos: number): RangeNode {
  p.enter(pos);
  const mark = p.vars.length;
  const pipe = pipeline(p, 'range', 'rightDelim');
  p.rangeDepth++;
  const { list, next } = itemList(p);
  p.rangeDepth--;
  let elseList: Node[] | null = null;
  if (next.type === 'elseMarker') {
    const rest = itemList(p);
    if (rest.next.type !== 'endMarker') p.errorAt(rest.next.pos, 'expected end; found {{else}}');
    elseList = rest.list;
  }
  p.vars.length = mark;
  p.leave();
  return { type: 'range', pos: pipe.pos, pipe, list, elseList };
}
