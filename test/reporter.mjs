// A compact reporter for `npm test` (node:test custom reporter: an async generator over the
// runner's events). One line per test file with a mark per test ('.' pass, 'F' fail, 's' skip,
// 't' todo), each failure named as it happens, then every failure in full (error, diff, stack and
// the output its file printed) and the runner's summary in the `# tests N` / `# pass N` /
// `# fail N` form that CI reads. Output of green files is not shown.
import path from 'node:path';
import { inspect } from 'node:util';

const MARKS_PER_LINE = 80;
const OUTPUT_LINES_KEPT = 60;

const rel = (file) => (file === undefined ? '(unknown file)' : path.relative(process.cwd(), file) || file);

/** The assertion or exception behind a runner error (the runner wraps it as ERR_TEST_FAILURE). */
function describeError(error) {
  if (error === undefined || error === null) return '(no error reported)';
  const inner = error.code === 'ERR_TEST_FAILURE' && error.cause !== undefined ? error.cause : error;
  if (typeof inner === 'string') return inner;
  if (!(inner instanceof Error) && typeof inner?.stack !== 'string') return inspect(inner, { depth: 4 });
  let text = typeof inner.stack === 'string' ? inner.stack : String(inner);
  if (typeof inner.message === 'string' && !text.includes(inner.message)) text = `${inner.message}\n${text}`;
  // Node's own frames say nothing about the test.
  text = text
    .split('\n')
    .filter((l) => !/^\s+at (.*\()?node:/.test(l) && !/^\s+at async Promise\.all/.test(l))
    .join('\n');
  const extra = inner.cause !== undefined ? `\ncaused by: ${describeError(inner.cause)}` : '';
  return text + extra;
}

const indent = (text, by = '    ') =>
  text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');

export default async function* compactReporter(source) {
  const files = new Map(); // file → { marks, output: string[], failures }
  const names = new Map(); // file → names by nesting, for "suite › test"
  const failures = [];
  const summary = [];
  let currentFile;
  let column = 0;
  let atLineStart = true;

  const fileState = (file) => {
    let s = files.get(file);
    if (s === undefined) {
      s = { output: [], dropped: 0, failures: 0 };
      files.set(file, s);
    }
    return s;
  };

  // The text that puts the next mark of `file` in place: its own line, wrapped and indented.
  const mark = (file, m) => {
    let out = '';
    if (file !== currentFile) {
      out += `${atLineStart ? '' : '\n'}${rel(file)} `;
      currentFile = file;
      column = 0;
      atLineStart = false;
    }
    if (atLineStart) out += '    ';
    atLineStart = false;
    if (column === MARKS_PER_LINE) {
      out += '\n    ';
      column = 0;
    }
    column++;
    return out + m;
  };

  for await (const event of source) {
    const data = event.data ?? {};
    switch (event.type) {
      case 'test:start': {
        const stack = names.get(data.file) ?? [];
        stack.length = data.nesting;
        stack.push(data.name);
        names.set(data.file, stack);
        break;
      }
      case 'test:stdout':
      case 'test:stderr': {
        const s = fileState(data.file);
        for (const line of String(data.message).replace(/\n$/, '').split('\n')) {
          s.output.push(line);
          if (s.output.length > OUTPUT_LINES_KEPT) {
            s.output.shift();
            s.dropped++;
          }
        }
        break;
      }
      case 'test:pass': {
        if (data.details?.type === 'suite' || data.name === data.file) break;
        yield mark(data.file, data.skip !== undefined && data.skip !== false ? 's' : data.todo ? 't' : '.');
        break;
      }
      case 'test:fail': {
        const error = data.details?.error;
        if (data.todo !== undefined && data.todo !== false) {
          yield mark(data.file, 't');
          break;
        }
        // A suite (or file) failing because a test in it failed is already reported by that test.
        if (error?.failureType === 'subtestsFailed') break;
        const isFile = data.nesting === 0 && data.name === data.file;
        const s = fileState(data.file);
        if (isFile && s.failures > 0) break;
        s.failures++;
        const stack = names.get(data.file) ?? [];
        const title = isFile
          ? `${rel(data.file)} (the file itself failed)`
          : [rel(data.file), ...stack.slice(0, data.nesting), data.name].join(' › ');
        failures.push({ title, error, file: data.file });
        yield `${mark(data.file, 'F')}\n  ✖ ${title}\n`;
        column = 0;
        atLineStart = true;
        break;
      }
      case 'test:diagnostic':
        // The root's diagnostics are the run summary; per-test ones would only add noise here.
        if (data.file === undefined && data.nesting === 0) summary.push(`# ${data.message}`);
        break;
      default:
        break;
    }
  }

  let out = atLineStart ? '' : '\n';
  if (failures.length > 0) {
    out += `\n${failures.length} failing test${failures.length === 1 ? '' : 's'}:\n`;
    failures.forEach((f, i) => {
      out += `\n${i + 1}) ✖ ${f.title}\n${indent(describeError(f.error))}\n`;
      const s = files.get(f.file);
      if (s !== undefined && s.output.length > 0) {
        const skipped = s.dropped > 0 ? `, last ${s.output.length} lines` : '';
        out += `    --- output of ${rel(f.file)}${skipped} ---\n${indent(s.output.join('\n'), '    | ')}\n`;
      }
    });
    out += '\n';
  }
  yield out + summary.join('\n') + '\n';
}
