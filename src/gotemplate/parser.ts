/**
 * Builds the tree for a template, following Go's text/template/parse: the same grammar, the same
 * parse-time checks (unknown functions, undefined variables, misplaced end/else/break/continue,
 * non-executable pipeline stages) and the same messages. Unlike Go it refuses define, template
 * and block, and it caps nesting so hostile input gets an error instead of a blown stack.
 */
import type {
  ActionNode,
  ArgNode,
  Branch,
  ChainNode,
  CommandNode,
  ConditionalNode,
  Node,
  PipeNode,
  RangeNode,
  VariableNode,
} from './ast.js';
import { nodeString } from './ast.js';
import { TemplateSyntaxError, locate } from './errors.js';
import type { FuncTable } from './funcs.js';
import { describeToken, lex, type Token, type TokenType } from './lexer.js';
import { NumberSyntaxError, parseNumberLiteral } from './literals.js';
import { UnquoteError, quoteGo, unquoteCharConstant, unquoteString } from './quote.js';

/** Deepest nesting of control structures and parentheses a template may use. */
export const MAX_NESTING_DEPTH = 100;

export interface ParseOptions {
  readonly name: string;
  readonly leftDelim: string;
  readonly rightDelim: string;
  readonly funcs: FuncTable;
}

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

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  /** Variables in scope, innermost last; "$" is always there. */
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private depth = 0;
  /** Where the action being parsed began, to say so when a lexical error is found on a later line. */
  private actionStart = -1;

  constructor(
    private readonly source: string,
    private readonly opts: ParseOptions,
  ) {
    this.tokens = lex(source, { leftDelim: opts.leftDelim, rightDelim: opts.rightDelim });
  }

  // Token access. The last token (EOF or an error) repeats forever.

  private tokenAt(i: number): Token {
    const t = this.tokens[Math.min(i, this.tokens.length - 1)];
    if (t === undefined) throw new Error('gotemplate: lexer produced no tokens');
    return t;
  }

  private next(): Token {
    return this.tokenAt(this.i++);
  }

  private backup(): void {
    this.i--;
  }

  private peek(): Token {
    return this.tokenAt(this.i);
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  // Errors.

  private errorAt(pos: number, detail: string): never {
    throw new TemplateSyntaxError(this.opts.name, locate(this.source, pos), detail);
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === 'error') {
      let extra = '';
      if (this.actionStart >= 0) {
        const startLine = locate(this.source, this.actionStart).line;
        if (startLine !== locate(this.source, t.pos).line) {
          extra = t.val.endsWith(' action')
            ? ` started at ${this.opts.name}:${startLine}`
            : ` in action started at ${this.opts.name}:${startLine}`;
        }
      }
      this.errorAt(t.pos, t.val + extra);
    }
    this.errorAt(t.pos, `unexpected ${describeToken(t)} in ${context}`);
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_NESTING_DEPTH) {
      this.errorAt(pos, `template nesting exceeds ${MAX_NESTING_DEPTH} levels`);
    }
  }

  private leave(): void {
    this.depth--;
  }

  // Grammar.

  parse(): Node[] {
    const root: Node[] = [];
    while (this.peek().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'endMarker') this.errorAt(n.pos, 'unexpected {{end}}');
      if (n.type === 'elseMarker') this.errorAt(n.pos, 'unexpected {{else}}');
      root.push(n);
    }
    return root;
  }

  /** Items up to the {{end}} or {{else}} that closes the enclosing structure. */
  private itemList(): { list: Node[]; next: EndMarker | ElseMarker } {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'endMarker' || n.type === 'elseMarker') return { list, next: n };
      list.push(n);
    }
    this.errorAt(this.source.length, 'unexpected EOF');
  }

  private textOrAction(): ListItem {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text':
        return { type: 'text', pos: t.pos, text: t.val };
      case 'leftDelim': {
        this.actionStart = t.pos;
        const n = this.action();
        // As in Go, an enclosing action is forgotten once a nested one ends.
        this.actionStart = -1;
        return n;
      }
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(): ListItem {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'block':
      case 'define':
      case 'template':
        this.errorAt(t.pos, `{{${t.val}}} is not supported in metricsQuery templates`);
        break;
      case 'break':
      case 'continue': {
        const close = this.nextNonSpace();
        if (close.type !== 'rightDelim') this.unexpected(close, `{{${t.val}}}`);
        if (this.rangeDepth === 0) this.errorAt(t.pos, `{{${t.val}}} outside {{range}}`);
        return { type: t.type, pos: t.pos };
      }
      case 'else': {
        // "else if"/"else with" leave the keyword for the enclosing structure to pick up.
        const p = this.peekNonSpace();
        if (p.type !== 'if' && p.type !== 'with') this.expect('rightDelim', 'else');
        return { type: 'elseMarker', pos: t.pos };
      }
      case 'end':
        this.expect('rightDelim', 'end');
        return { type: 'endMarker', pos: t.pos };
      case 'if':
      case 'with':
        return this.conditional(t.type, t.pos);
      case 'range':
        return this.rangeControl(t.pos);
      default:
        break;
    }
    this.backup();
    const first = this.peek();
    const node: ActionNode = { type: 'action', pos: first.pos, pipe: this.pipeline('command', 'rightDelim') };
    return node;
  }

  /** if/with and their else-if/else-with chain; variables declared anywhere in it live until its end. */
  private conditional(kind: 'if' | 'with', pos: number): ConditionalNode {
    this.enter(pos);
    const mark = this.vars.length;
    const branches: Branch[] = [];
    let elseList: Node[] | null = null;
    for (;;) {
      const pipe = this.pipeline(kind, 'rightDelim');
      const { list, next } = this.itemList();
      branches.push({ pipe, list });
      if (next.type === 'endMarker') break;
      if (this.peek().type === kind) {
        this.next();
        continue;
      }
      const rest = this.itemList();
      if (rest.next.type !== 'endMarker') this.errorAt(rest.next.pos, 'expected end; found {{else}}');
      elseList = rest.list;
      break;
    }
    this.vars.length = mark;
    this.leave();
    const first = branches[0];
    return { type: kind, pos: first === undefined ? pos : first.pipe.pos, branches, elseList };
  }

  private rangeControl(pos: number): RangeNode {
    this.enter(pos);
    const mark = this.vars.length;
    const pipe = this.pipeline('range', 'rightDelim');
    this.rangeDepth++;
    const { list, next } = this.itemList();
    this.rangeDepth--;
    let elseList: Node[] | null = null;
    if (next.type === 'elseMarker') {
      const rest = this.itemList();
      if (rest.next.type !== 'endMarker') this.errorAt(rest.next.pos, 'expected end; found {{else}}');
      elseList = rest.list;
    }
    this.vars.length = mark;
    this.leave();
    return { type: 'range', pos: pipe.pos, pipe, list, elseList };
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.peekNonSpace();
    const decl: VariableNode[] = [];
    let isAssign = false;
    // Declarations: "$x :=", "$x =", or in range "$i, $v :=".
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const atVariable = this.i;
      this.next();
      const after = this.peekNonSpace();
      if (after.type === 'assign' || after.type === 'declare') {
        isAssign = after.type === 'assign';
        this.nextNonSpace();
        decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        break;
      }
      if (after.type === 'char' && after.val === ',') {
        this.nextNonSpace();
        decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && decl.length < 2) {
          const t = this.peekNonSpace().type;
          if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue;
          this.errorAt(after.pos, 'range can only initialize variables');
        }
        this.errorAt(after.pos, `too many declarations in ${context}`);
      }
      // Not a declaration: the variable is the start of a command.
      this.i = atVariable;
      break;
    }
    const cmds: CommandNode[] = [];
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(cmds, context, t);
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
          this.backup();
          cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(cmds: readonly CommandNode[], context: string, endToken: Token): void {
    if (cmds.length === 0) this.errorAt(endToken.pos, `missing value for ${context}`);
    cmds.forEach((c, i) => {
      const head = c.args[0]?.type;
      if (
        i > 0 &&
        (head === 'bool' || head === 'dot' || head === 'nil' || head === 'number' || head === 'string')
      ) {
        this.errorAt(c.pos, `non executable command in pipeline stage ${i + 1}`);
      }
    });
  }

  private command(): CommandNode {
    const args: ArgNode[] = [];
    const pos = this.peekNonSpace().pos;
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (args.length === 0) this.errorAt(pos, 'empty command');
    return { type: 'command', pos, args };
  }

  /** A term, possibly followed by .Field selectors. */
  private operand(): ArgNode | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().type !== 'field') return node;
    const chainPos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
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
        this.errorAt(chainPos, `unexpected . after term ${quoteGo(nodeString(node))}`);
        break;
      default:
        break;
    }
    const chain: ChainNode = { type: 'chain', pos: chainPos, node, field: fields };
    return chain;
  }

  private term(): ArgNode | null {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier': {
        const fn = this.opts.funcs.get(t.val);
        if (fn === undefined) this.errorAt(t.pos, `function ${quoteGo(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, name: t.val, fn };
      }
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'variable':
        if (!this.vars.includes(t.val)) this.errorAt(t.pos, `undefined variable ${quoteGo(t.val)}`);
        return { type: 'variable', pos: t.pos, ident: [t.val] };
      case 'field':
        return { type: 'field', pos: t.pos, ident: [t.val.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant':
        return { type: 'number', pos: t.pos, text: t.val, value: this.literal(t, unquoteCharConstant) };
      case 'complex':
      case 'number':
        return { type: 'number', pos: t.pos, text: t.val, value: this.literal(t, parseNumberLiteral) };
      case 'leftParen': {
        this.enter(t.pos);
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.leave();
        return pipe;
      }
      case 'string':
      case 'rawString':
        return { type: 'string', pos: t.pos, quoted: t.val, text: this.literal(t, unquoteString) };
      default:
        this.backup();
        return null;
    }
  }

  private literal<T>(t: Token, convert: (text: string) => T): T {
    try {
      return convert(t.val);
    } catch (err) {
      if (err instanceof UnquoteError || err instanceof NumberSyntaxError) this.errorAt(t.pos, err.message);
      throw err;
    }
  }
}

/** Parses a whole template; throws TemplateSyntaxError. */
export function parseSource(source: string, opts: ParseOptions): Node[] {
  return new Parser(source, opts).parse();
}
