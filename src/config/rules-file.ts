/**
 * Reads a rules file in the prometheus-adapter format (`rules`, `externalRules`, `resourceRules`)
 * and checks its shape, keeping the file:line:col of every value so that later checks (regexes,
 * templates, PromQL) can point at the exact place. Unknown keys are errors with a suggestion;
 * nothing here throws on bad input.
 */
import { readFile } from 'node:fs/promises';
import { isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import type { RulesConfig, RulesFileResult } from './rules-file/config.js';
import { readRulesDocument } from './rules-file/schema.js';
import { YamlReader } from './rules-file/yaml-reader.js';

export type {
  DiscoveryRuleConfig,
  OverrideConfig,
  ResourceMappingConfig,
  ResourceRuleConfig,
  ResourceRulesConfig,
  RulesConfig,
  RulesFileResult,
  SeriesFilterConfig,
} from './rules-file/config.js';
export { formatDiagnostic, type Diagnostic } from './rules-file/diagnostics.js';
// For rules written as Kubernetes objects (src/rules/rule-objects.ts): the same keys, read the same way.
export { readDiscoveryRule, readResourceRules } from './rules-file/schema.js';
export { YamlReader } from './rules-file/yaml-reader.js';
export {
  locateInString,
  type Located,
  type ScalarStyle,
  type SourceLocation,
} from './rules-file/positions.js';

/** Parses rules text. The result's config is always usable; check diagnostics for errors. */
export function parseRulesText(text: string, file: string): RulesFileResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
  });
  const r = new YamlReader(file, text, counter);
  const config: RulesConfig = { file, rules: [], externalRules: [] };
  for (const err of doc.errors) {
    const pos = counter.linePos(err.pos[0]);
    r.diagnostics.push({
      severity: 'error',
      at: { file, line: pos.line, column: pos.col },
      path: '',
      message: `YAML syntax: ${err.message.split('\n')[0] ?? err.message}`,
    });
  }
  if (doc.errors.length > 0) return { config, diagnostics: r.diagnostics, unparsable: true };
  const root = doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) {
    r.diagnostics.push({
      severity: 'warning',
      at: { file, line: 1, column: 1 },
      path: '',
      message: 'the file is empty: no metrics will be served',
    });
    return { config, diagnostics: r.diagnostics };
  }
  readRulesDocument(r, root, config);
  const hasErrors = r.diagnostics.some((d) => d.severity === 'error');
  if (
    !hasErrors &&
    config.rules.length === 0 &&
    config.externalRules.length === 0 &&
    config.resourceRules === undefined
  ) {
    r.warn(root, '', 'no rules, externalRules or resourceRules: no metrics will be served');
  }
  return { config, diagnostics: r.diagnostics };
}

export async function readRulesFile(file: string): Promise<RulesFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return {
      config: { file, rules: [], externalRules: [] },
      diagnostics: [
        {
          severity: 'error',
          at: { file, line: 1, column: 1 },
          path: '',
          message: `cannot read the file: ${(err as Error).message}`,
        },
      ],
      unparsable: true,
    };
  }
  return parseRulesText(text, file);
}
