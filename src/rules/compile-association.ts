/**
 * Compiles a rule's resources mapping: the overrides (label → group and resource, checked as
 * Kubernetes names) and the label template, turned into a regex that tells which resource a
 * series label names, the way prometheus-adapter does.
 */
import { type Diagnostic, type Located, type ResourceMappingConfig } from '../config/rules-file.js';
import { isValidLabelName } from '../promql/index.js';
import { ResourceAssociation, type LabelTemplate } from './association.js';
import type { CompileChecks } from './compile-checks.js';
import { compileGoRegex, type GoRegex } from './goregex/index.js';
import type { RuleApi } from './types.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RESOURCE_NAME = /^[A-Za-z0-9]([-A-Za-z0-9._]*[A-Za-z0-9])?$/;

/** The association of series labels with Kubernetes objects; its problems go to c. */
export function compileAssociation(
  c: CompileChecks,
  r: ResourceMappingConfig,
  path: string,
  api: RuleApi,
  ruleAt: { at: Diagnostic['at'] },
): ResourceAssociation {
  for (const o of r.overrides) {
    const op = `${path}.overrides.${o.label}`;
    if (!isValidLabelName(o.label)) c.error(o, op, `"${o.label}" is not a valid Prometheus label name`);
    if (!RESOURCE_NAME.test(o.resource))
      c.error(
        o,
        op,
        `resource "${o.resource}" is not a Kubernetes resource name (e.g. "pod", "deployments")`,
      );
    if (o.group !== '' && !DNS_SUBDOMAIN.test(o.group))
      c.error(o, op, `group "${o.group}" is not an API group name (e.g. "apps", "" for core)`);
    if (o.resource.includes('.') && o.group === '') {
      c.warn(
        o,
        op,
        `resource "${o.resource}" contains a dot: put the API group in "group" (e.g. {group: "apps", resource: "deployment"})`,
      );
    }
  }
  const labelTemplate =
    r.template !== undefined ? compileLabelTemplate(c, r.template, `${path}.template`) : undefined;
  if (api === 'custom' && r.overrides.length === 0 && r.template === undefined) {
    c.error(
      ruleAt,
      path,
      'give resources.overrides, resources.template, or both: without them no series maps to a Kubernetes object',
    );
  }
  return new ResourceAssociation(
    r.overrides.map((o) => ({ label: o.label, group: o.group, resource: o.resource.toLowerCase() })),
    labelTemplate,
  );
}

function compileLabelTemplate(c: CompileChecks, s: Located<string>, path: string): LabelTemplate | undefined {
  const template = c.template(s, path, 'resource-label');
  if (template === undefined) return undefined;
  let pattern: string;
  try {
    // prometheus-adapter turns the template into a matcher by rendering capture groups into it.
    pattern = template.execute({ Group: '(?P<group>.+?)', Resource: '(?P<resource>.+?)' });
    template.execute({ Group: 'apps', Resource: 'deployment' });
  } catch (err) {
    c.execError(s, path, err);
    return undefined;
  }
  if (pattern === '') {
    c.error(
      s,
      path,
      'the template renders an empty label name; use something like "<<.Resource>>" or "kube_<<.Group>>_<<.Resource>>"',
    );
    return undefined;
  }
  let extractor: GoRegex;
  try {
    extractor = compileGoRegex(`^${pattern}$`);
  } catch (err) {
    c.error(s, path, `the template cannot be used to recognise labels: ${(err as Error).message}`);
    return undefined;
  }
  if (!extractor.subexpNames.includes('resource')) {
    c.error(s, path, 'the template must use <<.Resource>>, or it cannot tell which resource a label names');
    return undefined;
  }
  if (!extractor.subexpNames.includes('group')) return { template, extractor };
  const greedy = template.execute({ Group: '(?P<group>.+)', Resource: '(?P<resource>.+?)' });
  return { template, extractor, greedyGroupExtractor: compileGoRegex(`^${greedy}$`) };
}
