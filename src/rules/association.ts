/**
 * Association: which Kubernetes group-resources a series' labels stand for, and back, which label
 * holds a given resource's object names. `resources.overrides` map labels explicitly;
 * `resources.template` (e.g. `kube_<<.Group>>_<<.Resource>>`) maps the rest both ways. Resource
 * names are normalised through the cluster's discovery (singular or kind → plural, group found),
 * as prometheus-adapter does, so `pod`, `pods` and `Pod` are one resource.
 *
 * A rule owned by one namespace (a MetricRule) associates only namespaced resources: its series
 * are all in that namespace, whose label is fixed (the tenant's namespace label) rather than
 * mapped, so no label of its series can stand for a Namespace, a Node or any cluster-scoped
 * object.
 */
import type { Template } from '../gotemplate/index.js';
import type { GroupResource, ResourceInfo, ResourceMapper } from '../kube/index.js';
import type { GoRegex } from './goregex/index.js';

export interface ResourceOverride {
  label: string;
  group: string;
  resource: string;
}

export interface AssociatedResource {
  label: string;
  info: ResourceInfo;
}

const NAMESPACES: GroupResource = { group: '', resource: 'namespaces' };

function sameGR(a: GroupResource, b: GroupResource): boolean {
  return a.group === b.group && a.resource === b.resource;
}

/** What a label template matches, as a Go regex with `group`/`resource` capture groups. */
export interface LabelTemplate {
  template: Template;
  /** prometheus-adapter's matcher: lazy group and resource captures. */
  extractor: GoRegex;
  /**
   * The same with a greedy group, tried when the first split names no known resource: with
   * `kube_<<.Group>>_<<.Resource>>`, `kube_example_com_widget` is group example_com.
   */
  greedyGroupExtractor?: GoRegex;
}

function split(re: GoRegex, label: string): GroupResource | undefined {
  const m = re.exec(label);
  if (m === null) return undefined;
  let group = '';
  let resource = '';
  re.subexpNames.forEach((n, i) => {
    if (n === 'group') group = m.groups[i] ?? '';
    else if (n === 'resource') resource = m.groups[i] ?? '';
  });
  return resource === '' ? undefined : { group, resource };
}

export class ResourceAssociation {
  /** `tenantNamespaceLabel`: set for a rule owned by one namespace, the label holding it. */
  constructor(
    readonly overrides: readonly ResourceOverride[],
    private readonly labelTemplate: LabelTemplate | undefined,
    readonly tenantNamespaceLabel?: string,
  ) {}

  /** The same mapping for a rule owned by one namespace, whose namespace is in `namespaceLabel`. */
  forTenant(namespaceLabel: string): ResourceAssociation {
    return new ResourceAssociation(this.overrides, this.labelTemplate, namespaceLabel);
  }

  private overrideInfo(o: ResourceOverride, mapper: ResourceMapper): ResourceInfo | undefined {
    return mapper.resolve({ group: o.group, resource: o.resource });
  }

  /** The resource a single label stands for, if any. */
  resourceForLabel(label: string, mapper: ResourceMapper): ResourceInfo | undefined {
    const info = this.mappedResource(label, mapper);
    if (this.tenantNamespaceLabel === undefined) return info;
    return label === this.tenantNamespaceLabel || info?.namespaced !== true ? undefined : info;
  }

  private mappedResource(label: string, mapper: ResourceMapper): ResourceInfo | undefined {
    const o = this.overrides.find((x) => x.label === label);
    if (o !== undefined) return this.overrideInfo(o, mapper);
    const t = this.labelTemplate;
    if (t === undefined) return undefined;
    const first = split(t.extractor, label);
    const found = first === undefined ? undefined : mapper.resolve(first);
    if (found !== undefined || t.greedyGroupExtractor === undefined) return found;
    const second = split(t.greedyGroupExtractor, label);
    return second === undefined ? undefined : mapper.resolve(second);
  }

  /** Resources for a series' label names, and whether the series carries the namespace resource. */
  resourcesForLabels(
    labels: Iterable<string>,
    mapper: ResourceMapper,
  ): { resources: AssociatedResource[]; namespaced: boolean } {
    const resources: AssociatedResource[] = [];
    let namespaced = false;
    for (const label of labels) {
      if (label === '__name__') continue;
      if (label === this.tenantNamespaceLabel) namespaced = true;
      const info = this.resourceForLabel(label, mapper);
      if (info === undefined) continue;
      if (sameGR(info, NAMESPACES)) namespaced = true;
      if (!resources.some((r) => sameGR(r.info, info))) resources.push({ label, info });
    }
    return { resources, namespaced };
  }

  /** The label holding object names of `gr` (normalised), or undefined when this rule cannot say. */
  labelFor(gr: GroupResource, mapper: ResourceMapper): string | undefined {
    if (this.tenantNamespaceLabel !== undefined) {
      if (sameGR(gr, NAMESPACES)) return this.tenantNamespaceLabel;
      if (mapper.resolve(gr)?.namespaced === false) return undefined;
    }
    for (const o of this.overrides) {
      const info = this.overrideInfo(o, mapper);
      if (info !== undefined ? sameGR(info, gr) : o.group === gr.group && o.resource === gr.resource)
        return o.label;
    }
    if (this.labelTemplate === undefined) return undefined;
    const info = mapper.resolve(gr);
    const singular = info?.singular ?? gr.resource;
    const label = this.labelTemplate.template.execute({
      Group: gr.group.replace(/[.-]/g, '_'),
      Resource: singular,
    });
    return label === '' ? undefined : label;
  }

  namespaceLabel(mapper: ResourceMapper): string | undefined {
    return this.labelFor(NAMESPACES, mapper);
  }
}
