/**
 * Evaluating pipelines: each command's head (a function call, a field or variable, a chain, a
 * parenthesized pipeline or a constant) with the previous stage's value piped in last, arguments
 * checked against the function's parameter types, and `and`/`or` short-circuiting as in Go.
 */
import type { AnyNode, ArgNode, ChainNode, CommandNode, IdentifierNode, PipeNode } from '../ast.js';
import { nodeString } from '../ast.js';
import type { ParamType } from '../funcs.js';
import { NO_VALUE, goTypeName, isTrue } from '../values.js';
import { evalFieldChain, evalFieldNode, evalVariableNode, notAFunction } from './fields.js';
import { MISSING, NO_ARGS, type ExecState } from './state.js';

export function evalPipeline(s: ExecState, dot: unknown, dotIface: boolean, pipe: PipeNode): unknown {
  s.node = pipe;
  let value: unknown = MISSING;
  for (const cmd of pipe.cmds) {
    value = evalCommand(s, dot, dotIface, cmd, value);
    // A nil interface{} result is unwrapped to nothing at all.
    if (value === null || value === undefined) value = NO_VALUE;
  }
  for (const v of pipe.decl) {
    const name = v.ident[0] ?? '';
    if (pipe.isAssign) s.setVar(name, value, false);
    else s.vars.push({ name, value, iface: false });
  }
  return value;
}

function evalCommand(
  s: ExecState,
  dot: unknown,
  dotIface: boolean,
  cmd: CommandNode,
  final: unknown,
): unknown {
  const args = cmd.args;
  const first = args[0];
  if (first === undefined) s.fail('empty command');
  switch (first.type) {
    case 'field':
      return evalFieldNode(s, dot, dotIface, first, args, final);
    case 'chain':
      return evalChainNode(s, dot, dotIface, first, args, final);
    case 'identifier':
      return evalCall(s, dot, dotIface, first, cmd, args, 1, final);
    case 'pipe':
      notAFunction(s, args, final);
      return evalPipeline(s, dot, dotIface, first);
    case 'variable':
      return evalVariableNode(s, dot, dotIface, first, args, final);
    default:
      break;
  }
  s.node = first;
  notAFunction(s, args, final);
  switch (first.type) {
    case 'bool':
      return first.value;
    case 'dot':
      return dot;
    case 'nil':
      s.fail('nil is not a command');
      break;
    case 'number':
      return first.value;
    case 'string':
      return first.text;
  }
}

function evalChainNode(
  s: ExecState,
  dot: unknown,
  dotIface: boolean,
  chain: ChainNode,
  args: readonly ArgNode[],
  final: unknown,
): unknown {
  s.node = chain;
  if (chain.node.type === 'nil') s.fail(`indirection through explicit nil in ${nodeString(chain)}`);
  const receiver = evalArg(s, dot, dotIface, null, chain.node);
  // A caller's function returns interface{}; a parenthesized pipeline has already unwrapped its value.
  const iface = chain.node.type === 'identifier' && !chain.node.fn.builtin;
  return evalFieldChain(s, dot, receiver, iface, chain, chain.field, 0, args, final);
}

/** An argument, evaluated and checked against the parameter type (null: no type, as for a chain's head). */
function evalArg(s: ExecState, dot: unknown, dotIface: boolean, type: ParamType | null, n: ArgNode): unknown {
  s.node = n;
  s.argIface = false;
  switch (n.type) {
    case 'dot':
      s.argIface = dotIface;
      return validate(s, dot, type);
    case 'nil':
      if (type === 'value') return NO_VALUE;
      if (type === 'string') s.fail('cannot assign nil to string');
      return undefined;
    case 'field': {
      const v = evalFieldNode(s, dot, dotIface, n, [n], MISSING);
      s.argIface = s.lastIface;
      return validate(s, v, type);
    }
    case 'variable': {
      const v = evalVariableNode(s, dot, dotIface, n, NO_ARGS, MISSING);
      s.argIface = s.lastIface;
      return validate(s, v, type);
    }
    case 'pipe':
      return validate(s, evalPipeline(s, dot, dotIface, n), type);
    case 'identifier': {
      const v = evalCall(s, dot, dotIface, n, n, NO_ARGS, 0, MISSING);
      s.argIface = !n.fn.builtin;
      return validate(s, v, type);
    }
    case 'chain': {
      const v = evalChainNode(s, dot, dotIface, n, NO_ARGS, MISSING);
      s.argIface = s.lastIface;
      return validate(s, v, type);
    }
    default:
      break;
  }
  if (type === 'string') {
    if (n.type === 'string') return n.text;
    s.fail(`expected string; found ${nodeString(n)}`);
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

function validate(s: ExecState, value: unknown, type: ParamType | null): unknown {
  switch (type) {
    case 'any':
      return value === NO_VALUE ? undefined : value;
    case 'string':
      if (typeof value === 'string') return value;
      if (value === NO_VALUE) s.fail('invalid value; expected string');
      s.fail(`wrong type for value; expected string; got ${goTypeName(value)}`);
      break;
    default:
      return value;
  }
}

/**
 * Calls a function with the argument nodes args[from..] plus the piped-in final value. A failed
 * call names callNode: the whole command, or the identifier when it is itself an argument.
 */
function evalCall(
  s: ExecState,
  dot: unknown,
  dotIface: boolean,
  ident: IdentifierNode,
  callNode: AnyNode,
  args: readonly ArgNode[],
  from: number,
  final: unknown,
): unknown {
  s.node = ident;
  const { name, fn } = ident;
  const numArgs = args.length - from;
  const numIn = final === MISSING ? numArgs : numArgs + 1;
  const numFixed = fn.params.length;
  if (fn.variadic !== null) {
    if (numIn < numFixed)
      s.fail(`wrong number of args for ${name}: want at least ${numFixed} got ${numArgs}`);
  } else if (numIn !== numFixed) {
    s.fail(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
  }

  if (fn.builtin && (name === 'and' || name === 'or')) {
    // Short-circuit: the first deciding argument is the result, later ones are not evaluated.
    const isOr = name === 'or';
    let v: unknown = NO_VALUE;
    for (let i = from; i < args.length; i++) {
      const n = args[i];
      if (n === undefined) continue;
      v = evalArg(s, dot, dotIface, 'value', n);
      if (isTrue(v) === isOr) return v;
    }
    return final === MISSING ? v : final;
  }

  const argv: unknown[] = [];
  const ifaces: boolean[] = [];
  for (let i = 0; i < numArgs; i++) {
    const type = i < numFixed ? (fn.params[i] ?? 'any') : (fn.variadic ?? 'any');
    argv.push(evalArg(s, dot, dotIface, type, args[from + i] as ArgNode));
    ifaces.push(s.argIface);
  }
  if (final !== MISSING) {
    const type =
      fn.variadic !== null && numIn - 1 >= numFixed ? fn.variadic : (fn.params[numIn - 1] ?? 'any');
    argv.push(validate(s, final, type));
    ifaces.push(false);
  }
  try {
    return fn.call(argv, ifaces);
  } catch (err) {
    s.node = callNode;
    const message = err instanceof Error ? err.message : String(err);
    s.fail(`error calling ${name}: ${message}`, err);
  }
}
