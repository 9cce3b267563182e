/**
 * Runs a parsed template against data, following Go's text/template exec.go step for step: the
 * same evaluation order, the same notion of the node being evaluated (errors name it, so they read
 * like Go's), missing values that print "<no value>", nil interfaces that a pipeline turns into
 * missing values, variable scopes that end at {{end}}, and break/continue inside range.
 *
 * Every value read out of a struct field, a map[string]interface{} or a slice has Go's static type
 * interface{}. `iface` flags travel with dot, variables and arguments so that "can't evaluate field
 * X in type interface {}" names the type Go would name, and so that `slice` refuses such indexes
 * as Go's does.
 */
import type {
  AnyNode,
  ArgNode,
  ChainNode,
  CommandNode,
  ConditionalNode,
  FieldNode,
  IdentifierNode,
  Node,
  PipeNode,
  RangeNode,
  VariableNode,
} from './ast.js';
import { nodeString } from './ast.js';
import { TemplateExecError, locate, type MissingField } from './errors.js';
import { formatGoValue } from './format-value.js';
import type { ParamType } from './funcs.js';
import { NO_VALUE, goTypeName, isTrue, kindOf, mapHasTypedElems, sortedKeys } from './values.js';

/** Go's missingVal: no value is piped into the command. */
const MISSING: unique symbol = Symbol('missing');

/** How a walk ended: normally, or by {{break}}/{{continue}} on its way to the enclosing range. */
const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
type Signal = typeof NORMAL | typeof BREAK | typeof CONTINUE;

const NO_ARGS: readonly ArgNode[] = [];

interface Variable {
  readonly name: string;
  value: unknown;
  /** Whether Go would see the value through an interface{} (see the file comment). */
  iface: boolean;
}

export interface ExecTemplate {
  readonly name: string;
  readonly source: string;
}

class Executor {
  private out = '';
  private readonly vars: Variable[];
  /** The node being evaluated, which exec errors point at (Go's state.node). */
  private node: AnyNode | null = null;
  /** Whether the last field read produced an interface{} value; evalField's second result. */
  private lastIface = false;
  /** Whether the last argument evaluated has static type interface{}; only `slice` cares. */
  private argIface = false;

  constructor(
    private readonly tmpl: ExecTemplate,
    private readonly root: unknown,
  ) {
    this.vars = [{ name: '$', value: root, iface: false }];
  }

  run(nodes: readonly Node[]): string {
    this.walkList(this.root, false, nodes);
    return this.out;
  }

  private fail(detail: string, cause?: unknown, missingField?: MissingField): never {
    const node = this.node;
    const where = locate(this.tmpl.source, node === null ? 0 : node.pos);
    const context = node === null ? '' : nodeString(node);
    throw new TemplateExecError(this.tmpl.name, where, context, detail, {
      ...(cause === undefined ? {} : { cause }),
      ...(missingField === undefined ? {} : { missingField }),
    });
  }

  // Statements.

  private walkList(dot: unknown, dotIface: boolean, list: readonly Node[]): Signal {
    for (const node of list) {
      const signal = this.walk(dot, dotIface, node);
      if (signal !== NORMAL) return signal;
    }
    return NORMAL;
  }

  private walk(dot: unknown, dotIface: boolean, node: Node): Signal {
    this.node = node;
    switch (node.type) {
      case 'text':
        this.out += node.text;
        return NORMAL;
      case 'action': {
        const val = this.evalPipeline(dot, dotIface, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return NORMAL;
      }
      case 'if':
      case 'with':
        return this.walkConditional(dot, dotIface, node);
      case 'range':
        return this.walkRange(dot, dotIface, node);
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
    }
  }

  private printValue(node: AnyNode, val: unknown): void {
    this.node = node;
    if (typeof val === 'string') {
      this.out += val;
      return;
    }
    if (kindOf(val) === 'func') this.fail(`can't print ${nodeString(node)} of type ${goTypeName(val)}`);
    this.out += this.format(val);
  }

  private format(val: unknown): string {
    try {
      return formatGoValue(val);
    } catch (err) {
      if (err instanceof RangeError) this.fail(err.message, err);
      throw err;
    }
  }

  private walkConditional(dot: unknown, dotIface: boolean, node: ConditionalNode): Signal {
    const mark = this.vars.length;
    let signal: Signal = NORMAL;
    let taken = false;
    for (const branch of node.branches) {
      const val = this.evalPipeline(dot, dotIface, branch.pipe);
      if (isTrue(val)) {
        signal =
          node.type === 'with'
            ? this.walkList(val, false, branch.list)
            : this.walkList(dot, dotIface, branch.list);
        taken = true;
        break;
      }
    }
    if (!taken && node.elseList !== null) signal = this.walkList(dot, dotIface, node.elseList);
    this.vars.length = mark;
    return signal;
  }

  private walkRange(dot: unknown, dotIface: boolean, r: RangeNode): Signal {
    this.node = r;
    const outerMark = this.vars.length;
    const val = this.evalPipeline(dot, dotIface, r.pipe);
    const mark = this.vars.length;
    const decl = r.pipe.decl;

    const iteration = (index: unknown, elem: unknown, elemIface: boolean): Signal => {
      if (r.pipe.isAssign) {
        // "range $i, $v = x" assigns to existing variables: the index first when there are two.
        const [first, second] = decl;
        if (second !== undefined) {
          this.setVar(first?.ident[0] ?? '', index, false);
          this.setVar(second.ident[0] ?? '', elem, elemIface);
        } else if (first !== undefined) {
          this.setVar(first.ident[0] ?? '', elem, elemIface);
        }
      } else {
        // The declared variables are the top of the stack: the element last, the index before it.
        if (decl.length > 0) this.setTopVar(1, elem, elemIface);
        if (decl.length > 1) this.setTopVar(2, index, false);
      }
      const signal = this.walkList(elem, elemIface, r.list);
      this.vars.length = mark;
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
        this.fail(`range can't iterate over ${this.format(val)}`);
    }
    let signal: Signal = NORMAL;
    if (!iterated && r.elseList !== null) {
      // Go's range swallows a break raised in its else branch but lets a continue through.
      signal = this.walkList(dot, dotIface, r.elseList);
      if (signal === BREAK) signal = NORMAL;
    }
    this.vars.length = outerMark;
    return signal;
  }

  // Variables.

  private setTopVar(n: number, value: unknown, iface: boolean): void {
    const v = this.vars[this.vars.length - n];
    if (v !== undefined) {
      v.value = value;
      v.iface = iface;
    }
  }

  private setVar(name: string, value: unknown, iface: boolean): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) {
        v.value = value;
        v.iface = iface;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private lookupVar(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) return v;
    }
    this.fail(`undefined variable: ${name}`);
  }

  // Expressions.

  private evalPipeline(dot: unknown, dotIface: boolean, pipe: PipeNode): unknown {
    this.node = pipe;
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, dotIface, cmd, value);
      // A nil interface{} result is unwrapped to nothing at all.
      if (value === null || value === undefined) value = NO_VALUE;
    }
    for (const v of pipe.decl) {
      const name = v.ident[0] ?? '';
      if (pipe.isAssign) this.setVar(name, value, false);
      else this.vars.push({ name, value, iface: false });
    }
    return value;
  }

  private evalCommand(dot: unknown, dotIface: boolean, cmd: CommandNode, final: unknown): unknown {
    const args = cmd.args;
    const first = args[0];
    if (first === undefined) this.fail('empty command');
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, dotIface, first, args, final);
      case 'chain':
        return this.evalChainNode(dot, dotIface, first, args, final);
      case 'identifier':
        return this.evalCall(dot, dotIface, first, cmd, args, 1, final);
      case 'pipe':
        this.notAFunction(args, final);
        return this.evalPipeline(dot, dotIface, first);
      case 'variable':
        return this.evalVariableNode(dot, dotIface, first, args, final);
      default:
        break;
    }
    this.node = first;
    this.notAFunction(args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.fail('nil is not a command');
        break;
      case 'number':
        return first.value;
      case 'string':
        return first.text;
    }
  }

  private notAFunction(args: readonly ArgNode[], final: unknown): void {
    const head = args[0];
    if (head !== undefined && (args.length > 1 || final !== MISSING)) {
      this.fail(`can't give argument to non-function ${nodeString(head)}`);
    }
  }

  private evalFieldNode(
    dot: unknown,
    dotIface: boolean,
    field: FieldNode,
    args: readonly ArgNode[],
    final: unknown,
  ): unknown {
    this.node = field;
    return this.evalFieldChain(dot, dot, dotIface, field, field.ident, 0, args, final);
  }

  private evalVariableNode(
    dot: unknown,
    dotIface: boolean,
    variable: VariableNode,
    args: readonly ArgNode[],
    final: unknown,
  ): unknown {
    this.node = variable;
    const v = this.lookupVar(variable.ident[0] ?? '');
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      this.lastIface = v.iface;
      return v.value;
    }
    return this.evalFieldChain(dot, v.value, v.iface, variable, variable.ident, 1, args, final);
  }

  private evalChainNode(
    dot: unknown,
    dotIface: boolean,
    chain: ChainNode,
    args: readonly ArgNode[],
    final: unknown,
  ): unknown {
    this.node = chain;
    if (chain.node.type === 'nil') this.fail(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, dotIface, null, chain.node);
    // A caller's function returns interface{}; a parenthesized pipeline has already unwrapped its value.
    const iface = chain.node.type === 'identifier' && !chain.node.fn.builtin;
    return this.evalFieldChain(dot, receiver, iface, chain, chain.field, 0, args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    receiverIface: boolean,
    node: AnyNode,
    ident: readonly string[],
    from: number,
    args: readonly ArgNode[],
    final: unknown,
  ): unknown {
    let r = receiver;
    let iface = receiverIface;
    const last = ident.length - 1;
    for (let i = from; i < last; i++) {
      r = this.evalField(ident[i] ?? '', NO_ARGS, MISSING, r, iface);
      iface = this.lastIface;
    }
    return this.evalField(ident[last] ?? '', args, final, r, iface);
  }

  private evalField(
    fieldName: string,
    args: readonly ArgNode[],
    final: unknown,
    receiver: unknown,
    iface: boolean,
  ): unknown {
    if (receiver === NO_VALUE) {
      this.lastIface = false;
      return NO_VALUE;
    }
    if (receiver === null || receiver === undefined)
      this.fail(`nil pointer evaluating interface {}.${fieldName}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    const kind = kindOf(receiver);
    if (kind === 'struct') {
      if (Object.hasOwn(receiver, fieldName)) {
        if (hasArgs) this.fail(`${fieldName} has arguments but cannot be invoked as function`);
        this.lastIface = true;
        return (receiver as Record<string, unknown>)[fieldName];
      }
    } else if (kind === 'map') {
      if (hasArgs) this.fail(`${fieldName} is not a method but has arguments`);
      const m = receiver as Map<unknown, unknown>;
      this.lastIface = !mapHasTypedElems(m);
      return m.has(fieldName) ? m.get(fieldName) : NO_VALUE;
    }
    this.fail(
      `can't evaluate field ${fieldName} in type ${iface ? 'interface {}' : goTypeName(receiver)}`,
      undefined,
      // Callers (the rules compiler) turn this into "no such field; valid fields: …".
      kind === 'struct' ? { name: fieldName, fields: Object.keys(receiver) } : undefined,
    );
  }

  /** An argument, evaluated and checked against the parameter type (null: no type, as for a chain's head). */
  private evalArg(dot: unknown, dotIface: boolean, type: ParamType | null, n: ArgNode): unknown {
    this.node = n;
    this.argIface = false;
    switch (n.type) {
      case 'dot':
        this.argIface = dotIface;
        return this.validate(dot, type);
      case 'nil':
        if (type === 'value') return NO_VALUE;
        if (type === 'string') this.fail('cannot assign nil to string');
        return undefined;
      case 'field': {
        const v = this.evalFieldNode(dot, dotIface, n, [n], MISSING);
        this.argIface = this.lastIface;
        return this.validate(v, type);
      }
      case 'variable': {
        const v = this.evalVariableNode(dot, dotIface, n, NO_ARGS, MISSING);
        this.argIface = this.lastIface;
        return this.validate(v, type);
      }
      case 'pipe':
        return this.validate(this.evalPipeline(dot, dotIface, n), type);
      case 'identifier': {
        const v = this.evalCall(dot, dotIface, n, n, NO_ARGS, 0, MISSING);
        this.argIface = !n.fn.builtin;
        return this.validate(v, type);
      }
      case 'chain': {
        const v = this.evalChainNode(dot, dotIface, n, NO_ARGS, MISSING);
        this.argIface = this.lastIface;
        return this.validate(v, type);
      }
      default:
        break;
    }
    if (type === 'string') {
      if (n.type === 'string') return n.text;
      this.fail(`expected string; found ${nodeString(n)}`);
    }
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return n.value;
      case 'string':
        return n.text;
    }
  }

  private validate(value: unknown, type: ParamType | null): unknown {
    switch (type) {
      case 'any':
        return value === NO_VALUE ? undefined : value;
      case 'string':
        if (typeof value === 'string') return value;
        if (value === NO_VALUE) this.fail('invalid value; expected string');
        this.fail(`wrong type for value; expected string; got ${goTypeName(value)}`);
        break;
      default:
        return value;
    }
  }

  /**
   * Calls a function with the argument nodes args[from..] plus the piped-in final value. A failed
   * call names callNode: the whole command, or the identifier when it is itself an argument.
   */
  private evalCall(
    dot: unknown,
    dotIface: boolean,
    ident: IdentifierNode,
    callNode: AnyNode,
    args: readonly ArgNode[],
    from: number,
    final: unknown,
  ): unknown {
    this.node = ident;
    const { name, fn } = ident;
    const numArgs = args.length - from;
    const numIn = final === MISSING ? numArgs : numArgs + 1;
    const numFixed = fn.params.length;
    if (fn.variadic !== null) {
      if (numIn < numFixed)
        this.fail(`wrong number of args for ${name}: want at least ${numFixed} got ${numArgs}`);
    } else if (numIn !== numFixed) {
      this.fail(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }

    if (fn.builtin && (name === 'and' || name === 'or')) {
      // Short-circuit: the first deciding argument is the result, later ones are not evaluated.
      const isOr = name === 'or';
      let v: unknown = NO_VALUE;
      for (let i = from; i < args.length; i++) {
        const n = args[i];
        if (n === undefined) continue;
        v = this.evalArg(dot, dotIface, 'value', n);
        if (isTrue(v) === isOr) return v;
      }
      return final === MISSING ? v : final;
    }

    const argv: unknown[] = [];
    const ifaces: boolean[] = [];
    for (let i = 0; i < numArgs; i++) {
      const type = i < numFixed ? (fn.params[i] ?? 'any') : (fn.variadic ?? 'any');
      argv.push(this.evalArg(dot, dotIface, type, args[from + i] as ArgNode));
      ifaces.push(this.argIface);
    }
    if (final !== MISSING) {
      const type =
        fn.variadic !== null && numIn - 1 >= numFixed ? fn.variadic : (fn.params[numIn - 1] ?? 'any');
      argv.push(this.validate(final, type));
      ifaces.push(false);
    }
    try {
      return fn.call(argv, ifaces);
    } catch (err) {
      this.node = callNode;
      const message = err instanceof Error ? err.message : String(err);
      this.fail(`error calling ${name}: ${message}`, err);
    }
  }
}

/** Executes a parsed template; throws TemplateExecError. */
export function execute(tmpl: ExecTemplate, nodes: readonly Node[], data: unknown): string {
  const root = data === null || data === undefined ? NO_VALUE : data;
  return new Executor(tmpl, root).run(nodes);
}
