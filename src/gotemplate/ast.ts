/**
 * The parsed form of a template, close to Go's parse.Node types, plus nodeString, which renders a
 * node the way Go's String methods do: exec errors quote it as their context ("at <.Foo>").
 * `if`/`with` chains built with `else if`/`else with` are kept flat, as a list of branches, so a
 * long chain costs no recursion.
 */
import type { FuncDef } from './funcs.js';
import type { GoFloat } from './values.js';

interface Positioned {
  /** UTF-16 offset in the source. */
  readonly pos: number;
}

export interface FieldNode extends Positioned {
  readonly type: 'field';
  /** `.A.B` is ["A", "B"]. */
  readonly ident: readonly string[];
}

export interface VariableNode extends Positioned {
  readonly type: 'variable';
  /** `$x.A` is ["$x", "A"]. */
  readonly ident: readonly string[];
}

/** A field chain on something that is not a field or variable: `(pipeline).A.B`. */
export interface ChainNode extends Positioned {
  readonly type: 'chain';
  readonly node: ArgNode;
  readonly field: readonly string[];
}

export interface IdentifierNode extends Positioned {
  readonly type: 'identifier';
  readonly name: string;
  /** Resolved at parse time; parsing fails for unknown names. */
  readonly fn: FuncDef;
}

export interface DotNode extends Positioned {
  readonly type: 'dot';
}

export interface NilNode extends Positioned {
  readonly type: 'nil';
}

export interface BoolNode extends Positioned {
  readonly type: 'bool';
  readonly value: boolean;
}

export interface NumberNode extends Positioned {
  readonly type: 'number';
  readonly text: string;
  readonly value: number | bigint | GoFloat;
}

export interface StringNode extends Positioned {
  readonly type: 'string';
  /** The literal as written, quotes included. */
  readonly quoted: string;
  readonly text: string;
}

export interface PipeNode extends Positioned {
  readonly type: 'pipe';
  readonly isAssign: boolean;
  readonly decl: readonly VariableNode[];
  readonly cmds: readonly CommandNode[];
}

export type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

export interface CommandNode extends Positioned {
  readonly type: 'command';
  readonly args: readonly ArgNode[];
}

export interface TextNode extends Positioned {
  readonly type: 'text';
  readonly text: string;
}

export interface ActionNode extends Positioned {
  readonly type: 'action';
  readonly pipe: PipeNode;
}

export interface Branch {
  readonly pipe: PipeNode;
  readonly list: readonly Node[];
}

/** `if` or `with`, with any `else if`/`else with` as further branches. */
export interface ConditionalNode extends Positioned {
  readonly type: 'if' | 'with';
  readonly branches: readonly Branch[];
  readonly elseList: readonly Node[] | null;
}

export interface RangeNode extends Positioned {
  readonly type: 'range';
  readonly pipe: PipeNode;
  readonly list: readonly Node[];
  readonly elseList: readonly Node[] | null;
}

export interface BreakNode extends Positioned {
  readonly type: 'break';
}

export interface ContinueNode extends Positioned {
  readonly type: 'continue';
}

export type Node = TextNode | ActionNode | ConditionalNode | RangeNode | BreakNode | ContinueNode;

export type AnyNode = Node | ArgNode | CommandNode;

function listString(list: readonly Node[]): string {
  return list.map(nodeString).join('');
}

function pipeString(p: PipeNode): string {
  let s = '';
  if (p.decl.length > 0) s = p.decl.map(nodeString).join(', ') + ' := ';
  return s + p.cmds.map(nodeString).join(' | ');
}

/** Go's String() for a node. */
export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case 'field':
      return n.ident.map((id) => '.' + id).join('');
    case 'variable':
      return n.ident.join('.');
    case 'chain': {
      const head = n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return head + n.field.map((f) => '.' + f).join('');
    }
    case 'identifier':
      return n.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'pipe':
      return pipeString(n);
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'text':
      return n.text;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'with': {
      // Go nests else-if chains; render them the same way.
      let tail = n.elseList === null ? '' : `{{else}}${listString(n.elseList)}`;
      for (let i = n.branches.length - 1; i >= 0; i--) {
        const b = n.branches[i];
        if (b === undefined) continue;
        const s = `{{${n.type} ${nodeString(b.pipe)}}}${listString(b.list)}${tail}{{end}}`;
        tail = i > 0 ? `{{else}}${s}` : s;
      }
      return tail;
    }
    case 'range': {
      const elseStr = n.elseList === null ? '' : `{{else}}${listString(n.elseList)}`;
      return `{{range ${nodeString(n.pipe)}}}${listString(n.list)}${elseStr}{{end}}`;
    }
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
  }
}
