/**
 * Walking the tree: text and actions print, if/with pick a branch, range iterates (slices in
 * order, maps by sorted key) with break and continue, and variables declared inside a structure
 * go out of scope at its {{end}}.
 */
import type { AnyNode, ConditionalNode, Node, RangeNode } from '../ast.js';
import { nodeString } from '../ast.js';
import { formatGoValue } from '../format-value.js';
import { goTypeName, isTrue, kindOf, mapHasTypedElems, sortedKeys } from '../values.js';
import { evalPipeline } from './pipeline.js';
import { BREAK, CONTINUE, NORMAL, type ExecState, type Signal } from './state.js';

export function walkList(s: ExecState, dot: unknown, dotIface: boolean, list: readonly Node[]): Signal {
  for (const node of list) {
    const signal = walk(s, dot, dotIface, node);
    if (signal !== NORMAL) return signal;
  }
  return NORMAL;
}

function walk(s: ExecState, dot: unknown, dotIface: boolean, node: Node): Signal {
  s.node = node;
  switch (node.type) {
    case 'text':
      s.out += node.text;
      return NORMAL;
    case 'action': {
      const val = evalPipeline(s, dot, dotIface, node.pipe);
      if (node.pipe.decl.length === 0) printValue(s, node, val);
      return NORMAL;
    }
    case 'if':
    case 'with':
      return walkConditional(s, dot, dotIface, node);
    case 'range':
      return walkRange(s, dot, dotIface, node);
    case 'break':
      return BREAK;
    case 'continue':
      return CONTINUE;
  }
}

function printValue(s: ExecState, node: AnyNode, val: unknown): void {
  s.node = node;
  if (typeof val === 'string') {
    s.out += val;
    return;
  }
  if (kindOf(val) === 'func') s.fail(`can't print ${nodeString(node)} of type ${goTypeName(val)}`);
  s.out += format(s, val);
}

function format(s: ExecState, val: unknown): string {
  try {
    return formatGoValue(val);
  } catch (err) {
    if (err instanceof RangeError) s.fail(err.message, err);
    throw err;
  }
}

function walkConditional(s: ExecState, dot: unknown, dotIface: boolean, node: ConditionalNode): Signal {
  const mark = s.vars.length;
  let signal: Signal = NORMAL;
  let taken = false;
  for (const branch of node.branches) {
    const val = evalPipeline(s, dot, dotIface, branch.pipe);
    if (isTrue(val)) {
      signal =
        node.type === 'with' ? walkList(s, val, false, branch.list) : walkList(s, dot, dotIface, branch.list);
      taken = true;
      break;
    }
  }
  if (!taken && node.elseList !== null) signal = walkList(s, dot, dotIface, node.elseList);
  s.vars.length = mark;
  return signal;
}

function walkRange(s: ExecState, dot: unknown, dotIface: boolean, r: RangeNode): Signal {
  s.node = r;
  const outerMark = s.vars.length;
  const val = evalPipeline(s, dot, dotIface, r.pipe);
  const mark = s.vars.length;
  const decl = r.pipe.decl;

  const iteration = (index: unknown, elem: unknown, elemIface: boolean): Signal => {
    if (r.pipe.isAssign) {
      // "range $i, $v = x" assigns to existing variables: the index first when there are two.
      const [first, second] = decl;
      if (second !== undefined) {
        s.setVar(first?.ident[0] ?? '', index, false);
        s.setVar(second.ident[0] ?? '', elem, elemIface);
      } else if (first !== undefined) {
        s.setVar(first.ident[0] ?? '', elem, elemIface);
      }
    } else {
      // The declared variables are the top of the stack: the element last, the index before it.
      if (decl.length > 0) s.setTopVar(1, elem, elemIface);
      if (decl.length > 1) s.setTopVar(2, index, false);
    }
    const signal = walkList(s, elem, elemIface, r.list);
    s.vars.length = mark;
    return signal;
  };

  let iterated = false;
  switch (kindOf(val)) {
    case 'slice': {
      const items = val as readonly unknown[];
      for (let i = 0; i < items.length; i++) {
        iterated = true;
        if (iteration(i, items[i], true) === BREAK) break;
      }
      break;
    }
    case 'map': {
      const m = val as ReadonlyMap<unknown, unknown>;
      const elemIface = !mapHasTypedElems(m as Map<unknown, unknown>);
      for (const key of sortedKeys(m as Map<unknown, unknown>)) {
        iterated = true;
        if (iteration(key, m.get(key), elemIface) === BREAK) break;
      }
      break;
    }
    case 'invalid':
      // Nothing to range over, like a nil map.
      break;
    default:
      s.fail(`range can't iterate over ${format(s, val)}`);
  }
  let signal: Signal = NORMAL;
  if (!iterated && r.elseList !== null) {
    // Go's range swallows a break raised in its else branch but lets a continue through.
    signal = walkList(s, dot, dotIface, r.elseList);
    if (signal === BREAK) signal = NORMAL;
  }
  s.vars.length = outerMark;
  return signal;
}
