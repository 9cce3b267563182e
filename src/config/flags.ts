/**
 * Parsing the command line against the flag table, plus --help text and typed accessors.
 *
 * The parser follows Go's pflag rather than node:util parseArgs because existing manifests rely on
 * pflag's forms: `--flag=false` for booleans, single-dash long flags (`-v=4`), repeated and
 * comma-separated list flags, and `_` read as `-` in names (klog's `--log_dir` is `--log-dir`),
 * as Kubernetes components normalise them.
 */
import { formatGoDuration, parseGoDuration } from './duration.js';
import { flagGroup, flagReadBy, GROUP_TITLES, type HelpCommand } from './flag-groups.js';
import { FLAG_SPECS, type FlagNotice, type FlagSpec, type FlagValue } from './flag-specs.js';
import { KUBECONFIG_FALLBACK_RULE } from './kubeconfig-roles.js';
import { closestMatch } from './suggest.js';

export { FLAG_SPECS };
export type { FlagNotice };

export class FlagError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
    this.name = 'FlagError';
  }
}

const SPEC_BY_NAME = new Map(FLAG_SPECS.map((s) => [s.name, s]));

export type FlagValues = ReadonlyMap<string, FlagValue>;

export interface ParsedCommandLine {
  command: string | undefined;
  positionals: string[];
  values: Map<string, FlagValue>;
  /** Flags given explicitly (for "was it set" questions and compat warnings). */
  given: Set<string>;
  help: boolean;
  /** --help-all: the help also describes each compatibility-only flag. */
  helpAll: boolean;
  version: boolean;
}

const GO_BOOL_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const GO_BOOL_FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function convert(spec: FlagSpec, raw: string, previous: FlagValue, firstUse: boolean): FlagValue {
  const flag = `--${spec.name}`;
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw.trim()))
        throw new FlagError(flag, `invalid argument "${raw}" for "${flag}": not an integer`);
      return Number(raw);
    }
    case 'float': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n))
        throw new FlagError(flag, `invalid argument "${raw}" for "${flag}": not a number`);
      return n;
    }
    case 'bool': {
      if (GO_BOOL_TRUE.has(raw)) return true;
      if (GO_BOOL_FALSE.has(raw)) return false;
      throw new FlagError(flag, `invalid argument "${raw}" for "${flag}": not a boolean (true or false)`);
    }
    case 'duration': {
      try {
        return parseGoDuration(raw);
      } catch (err) {
        throw new FlagError(flag, `invalid argument "${raw}" for "${flag}": ${(err as Error).message}`);
      }
    }
    case 'stringList': {
      const items = raw === '' ? [] : raw.split(',').map((s) => s.trim());
      // pflag: the first explicit use replaces the default, later uses append.
      return firstUse ? items : [...(previous as string[]), ...items];
    }
    case 'stringArray':
      return firstUse ? [raw] : [...(previous as string[]), raw];
  }
}

function unknownFlagMessage(name: string): string {
  const guess = closestMatch(name, SPEC_BY_NAME.keys());
  return `unknown flag: --${name} (${guess === undefined ? 'see --help' : `did you mean --${guess}?`})`;
}

/** Parses argv (without node and script). Throws FlagError for unknown flags and bad values. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const values = new Map<string, FlagValue>(FLAG_SPECS.map((s) => [s.name, s.default]));
  const given = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  let helpAll = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = (eq >= 0 ? body.slice(0, eq) : body).replaceAll('_', '-');
    let raw: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (name === 'help' || name === 'h' || name === 'help-all') {
      help = true;
      helpAll ||= name === 'help-all';
      continue;
    }
    if (name === 'version') {
      version = true;
      continue;
    }
    const spec = SPEC_BY_NAME.get(name);
    if (spec === undefined) throw new FlagError(`--${name}`, unknownFlagMessage(name));
    if (raw === undefined) {
      if (spec.kind === 'bool') {
        raw = 'true';
      } else {
        const next = argv[i + 1];
        if (next === undefined) throw new FlagError(`--${name}`, `flag needs an argument: --${name}`);
        raw = next;
        i++;
      }
    }
    const value = convert(spec, raw, values.get(name) ?? spec.default, !given.has(name));
    const problem = spec.validate?.(value);
    if (problem !== undefined)
      throw new FlagError(`--${name}`, `invalid argument "${raw}" for "--${name}": ${problem}`);
    values.set(name, value);
    given.add(name);
  }
  const [command, ...rest] = positionals;
  return { command, positionals: rest, values, given, help, helpAll, version };
}

/** The default as `--help` shows it; undefined for an empty or false one (pflag omits those too). */
function shownDefault(spec: FlagSpec): string | undefined {
  const d = spec.default;
  if (d === '' || d === false || (Array.isArray(d) && d.length === 0)) return undefined;
  if (spec.kind === 'duration') return formatGoDuration(d as number);
  if (Array.isArray(d)) return `[${d.join(',')}]`;
  if (typeof d === 'string') return `"${d}"`;
  return String(d);
}

const HELP_WIDTH = 100;
const DESCRIPTION_INDENT = ' '.repeat(12);

/** Fills words into lines of at most `width` characters, each starting with `indent`. */
export function wrapText(text: string, indent: string, width = HELP_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

function describeFlag(spec: FlagSpec): string[] {
  const type =
    spec.kind === 'bool'
      ? ''
      : ` ${spec.kind === 'stringList' ? 'strings' : spec.kind === 'stringArray' ? 'string (repeatable)' : spec.kind}`;
  // The long fallback rule of the three kubeconfig roles is printed once, under the first.
  const help =
    spec.name === 'lister-kubeconfig'
      ? spec.help
      : spec.help.replace(KUBECONFIG_FALLBACK_RULE, 'Not given: as told under --lister-kubeconfig.');
  // A help that tells its default in words (e.g. "default: --metrics-relist-interval") keeps it.
  const shown = /\bdefault\b/i.test(help) ? undefined : shownDefault(spec);
  const text = shown === undefined ? help : `${help} (default ${shown})`;
  return [`      --${spec.name}${type}`, ...wrapText(text, DESCRIPTION_INDENT)];
}

export interface FlagHelpOptions {
  /** Lists only the flags this command reads; default serve. */
  command?: HelpCommand;
  /** Describes each compatibility-only flag instead of listing their names. */
  all?: boolean;
}

/**
 * The flags of `--help`, in sections (flag-groups.ts). The compatibility-only flags follow in one
 * short paragraph of names, or described one by one with `all`; check and explain leave them out.
 */
export function flagHelp(options: FlagHelpOptions = {}): string {
  const command = options.command ?? 'serve';
  const sections: string[] = [];
  for (const [group, title] of GROUP_TITLES) {
    const specs = FLAG_SPECS.filter((s) => flagGroup(s) === group && flagReadBy(s, command));
    if (specs.length === 0) continue;
    if (group === 'compatibility') {
      if (command === 'check' || command === 'explain') continue;
      const intro = `${title} (they start unchanged but have no effect; those that would hide what was asked for log a warning when given${options.all === true ? '' : '; --help-all describes each'}):`;
      sections.push(
        options.all === true
          ? [...wrapText(intro, ''), ...specs.flatMap(describeFlag)].join('\n')
          : [...wrapText(intro, ''), ...wrapText(specs.map((s) => `--${s.name}`).join(' '), '  ')].join('\n'),
      );
      continue;
    }
    sections.push([`${title}:`, ...specs.flatMap(describeFlag)].join('\n'));
  }
  return sections.join('\n\n');
}

export function compatOnlyFlagsGiven(parsed: ParsedCommandLine): string[] {
  return FLAG_SPECS.filter((s) => s.compatOnly === true && parsed.given.has(s.name)).map(
    (s) => `--${s.name}`,
  );
}

/** What to say once at start about the flags given: their own notices, then one line for the ignored ones. */
export function startupNotices(parsed: ParsedCommandLine): (FlagNotice & { flags?: string[] })[] {
  const out: (FlagNotice & { flags?: string[] })[] = [];
  for (const spec of FLAG_SPECS) {
    if (spec.noticeWhenGiven === undefined || !parsed.given.has(spec.name)) continue;
    const notice = spec.noticeWhenGiven(parsed.values.get(spec.name) ?? spec.default);
    if (notice !== undefined) out.push(notice);
  }
  const ignored = compatOnlyFlagsGiven(parsed);
  if (ignored.length > 0)
    out.push({ level: 'info', message: 'flags accepted for compatibility have no effect', flags: ignored });
  return out;
}

export function stringFlag(values: FlagValues, name: string): string {
  const v = values.get(name);
  if (typeof v !== 'string') throw new Error(`flag --${name} is not a string flag`);
  return v;
}

export function numberFlag(values: FlagValues, name: string): number {
  const v = values.get(name);
  if (typeof v !== 'number') throw new Error(`flag --${name} is not a number flag`);
  return v;
}

export function boolFlag(values: FlagValues, name: string): boolean {
  const v = values.get(name);
  if (typeof v !== 'boolean') throw new Error(`flag --${name} is not a boolean flag`);
  return v;
}

export function listFlag(values: FlagValues, name: string): string[] {
  const v = values.get(name);
  if (!Array.isArray(v)) throw new Error(`flag --${name} is not a list flag`);
  return v;
}
