/**
 * Pipelines and what they are made of: declarations, commands, operands with their field chains,
 * and terms (functions, variables, fields, literals, parenthesized pipelines), with Go's
 * parse-time checks on each.
 */
import type { ArgNode, ChainNode, CommandNode, PipeNode, VariableNode } from '../ast.js';
import { nodeString } from '../ast.js';
import type { Token } from '../lexer.js';
import { NumberSyntaxError, parseNumberLiteral } from '../literals.js';
import { UnquoteError, quoteGo, unquoteCharConstant, unquoteString } from '../quote.js';
import type { ParseState } from './state.js';

export function pipeline(p: ParseState, context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
  const start = p.peekNonSpace();
  const decl: VariableNode[] = [];
  let isAssign = false;
  // Declarations: "$x :=", "$x =", or in range "$i, $v :=".
  for (;;) {
    const v = p.peekNonSpace();
    if (v.type !== 'variable') break;
    const atVariable = p.i;
    p.next();
    const after = p.peekNonSpace();
    if (after.type === 'assign' || after.type === 'declare') {
      isAssign = after.type === 'assign';
      p.nextNonSpace();
      decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
      p.vars.push(v.val);
      break;
    }
    if (after.type === 'char' && after.val === ',') {
      p.nextNonSpace();
      decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
      p.vars.push(v.val);
      if (context === 'range' && decl.length < 2) {
        const t = p.peekNonSpace().type;
        if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue;
        p.errorAt(after.pos, 'range can only initialize variables');
      }
      p.errorAt(after.pos, `too many declarations in ${context}`);
    }
    // Not a declaration: the variable is the start of a command.
    p.i = atVariable;
    break;
  }
  const cmds: CommandNode[] = [];
  for (;;) {
    const t = p.nextNonSpace();
    if (t.type === end) {
      checkPipeline(p, cmds, context, t);
      return { type: 'pipe', pos: start.pos, isAssign, decl, cmds };
    }
    switch (t.type) {
      case 'bool':
      case 'charConstant':
      case 'complex':
      case 'dot':
      case 'field':
      case 'identifier':
      case 'number':
      case 'nil':
      case 'rawString':
      case 'string':
      case 'variable':
      case 'leftParen':
        p.backup();
        cmds.push(command(p));
        break;
      default:
        p.unexpected(t, context);
    }
  }
}

function checkPipeline(p: ParseState, cmds: readonly CommandNode[], context: string, endToken: Token): void {
  if (cmds.length === 0) p.errorAt(endToken.pos, `missing value for ${context}`);
  cmds.forEach((c, i) => {
    const head = c.args[0]?.type;
    if (
      i > 0 &&
      (head === 'bool' || head === 'dot' || head === 'nil' || head === 'number' || head === 'string')
    ) {
      p.errorAt(c.pos, `non executable command in pipeline stage ${i + 1}`);
    }
  });
}

function command(p: ParseState): CommandNode {
  const args: ArgNode[] = [];
  const pos = p.peekNonSpace().pos;
  for (;;) {
    p.peekNonSpace();
    const arg = operand(p);
    if (arg !== null) args.push(arg);
    const t = p.next();
    if (t.type === 'space') continue;
    if (t.type === 'rightDelim' || t.type === 'rightParen') p.backup();
    else if (t.type !== 'pipe') p.unexpected(t, 'operand');
    break;
  }
  if (args.length === 0) p.errorAt(pos, 'empty command');
  return { type: 'command', pos, args };
}

/** A term, possibly followed by .Field selectors. */
function operand(p: ParseState): ArgNode | null {
  const node = term(p);
  if (node === null) return null;
  if (p.peek().type !== 'field') return node;
  const chainPos = p.peek().pos;
  const fields: string[] = [];
  while (p.peek().type === 'field') fields.push(p.next().val.slice(1));
  switch (node.type) {
    case 'field':
      return { type: 'field', pos: chainPos, ident: [...node.ident, ...fields] };
    case 'variable':
      return { type: 'variable', pos: chainPos, ident: [...node.ident, ...fields] };
    case 'bool':
    case 'string':
    case 'number':
    case 'nil':
    case 'dot':
      p.errorAt(chainPos, `unexpected . after term ${quoteGo(nodeString(node))}`);
      break;
    default:
      break;
  }
  const chain: ChainNode = { type: 'chain', pos: chainPos, node, field: fields };
  return chain;
}

function term(p: ParseState): ArgNode | null {
  const t = p.nextNonSpace();
  switch (t.type) {
    case 'identifier': {
      const fn = p.opts.funcs.get(t.val);
      if (fn === undefined) p.errorAt(t.pos, `function ${quoteGo(t.val)} not defined`);
      return { type: 'identifier', pos: t.pos, name: t.val, fn };
    }
    case 'dot':
      return { type: 'dot', pos: t.pos };
    case 'nil':
      return { type: 'nil', pos: t.pos };
    case 'variable':
      if (!p.vars.includes(t.val)) p.errorAt(t.pos, `undefined variable ${quoteGo(t.val)}`);
      return { type: 'variable', pos: t.pos, ident: [t.val] };
    case 'field':
      return { type: 'field', pos: t.pos, ident: [t.val.slice(1)] };
    case 'bool':
      return { type: 'bool', pos: t.pos, value: t.val === 'true' };
    case 'charConstant':
      return { type: 'number', pos: t.pos, text: t.val, value: literal(p, t, unquoteCharConstant) };
    case 'complex':
    case 'number':
      return { type: 'number', pos: t.pos, text: t.val, value: literal(p, t, parseNumberLiteral) };
    case 'leftParen': {
      p.enter(t.pos);
      const pipe = pipeline(p, 'parenthesized pipeline', 'rightParen');
      p.leave();
      return pipe;
    }
    case 'string':
    case 'rawString':
      return { type: 'string', pos: t.pos, quoted: t.val, text: literal(p, t, unquoteString) };
    default:
      p.backup();
      return null;
  }
}

function literal<T>(p: ParseState, t: Token, convert: (text: string) => T): T {
  try {
    return convert(t.val);
  } catch (err) {
    if (err instanceof UnquoteError || err instanceof NumberSyntaxError) p.errorAt(t.pos, err.message);
    throw err;
  }
}
