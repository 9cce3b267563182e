import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupResourceString } from '../../src/kube/index.js';
import { mapper, ruleFrom, ruleYaml } from './fixtures.js';

describe('association: labels → group-resources', () => {
  const cases: { name: string; resources: string; labels: string[]; want: string[]; namespaced: boolean }[] =
    [
      {
        name: 'overrides, singular resource names normalised',
        resources: 'overrides:\n  namespace: {resource: namespace}\n  pod: {resource: pod}',
        labels: ['__name__', 'namespace', 'pod', 'instance'],
        want: ['namespaces:namespace', 'pods:pod'],
        namespaced: true,
      },
      {
        name: 'template <<.Resource>> finds every resource-named label, core first',
        resources: 'template: "<<.Resource>>"',
        labels: ['namespace', 'pod', 'service', 'job', 'instance', 'container', 'node'],
        want: ['namespaces:namespace', 'pods:pod', 'services:service', 'jobs.batch:job', 'nodes:node'],
        namespaced: true,
      },
      {
        name: 'template with group',
        resources: 'template: "kube_<<.Group>>_<<.Resource>>"',
        labels: ['kube_apps_deployment', 'kube__pod', 'kube_example_com_widget', 'kube_nope_thing'],
        want: ['deployments.apps:kube_apps_deployment', 'widgets.example.com:kube_example_com_widget'],
        namespaced: false,
      },
      {
        name: 'overrides win over the template',
        resources:
          'template: "<<.Resource>>"\noverrides:\n  kubernetes_pod_name: {resource: pod}\n  kubernetes_namespace: {resource: namespace}',
        labels: ['kubernetes_pod_name', 'kubernetes_namespace'],
        want: ['pods:kubernetes_pod_name', 'namespaces:kubernetes_namespace'],
        namespaced: true,
      },
      {
        name: 'an override with a group',
        resources:
          'overrides:\n  deployment: {group: apps, resource: deployment}\n  ns: {resource: namespaces}',
        labels: ['deployment', 'ns'],
        want: ['deployments.apps:deployment', 'namespaces:ns'],
        namespaced: true,
      },
      {
        name: 'kind names and plural names resolve too',
        resources: 'overrides:\n  a: {resource: Pod}\n  b: {group: apps, resource: statefulsets}',
        labels: ['a', 'b'],
        want: ['pods:a', 'statefulsets.apps:b'],
        namespaced: false,
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const rule = ruleFrom(ruleYaml({ resources: c.resources }));
      const got = rule.association.resourcesForLabels(c.labels, mapper);
      assert.deepEqual(
        got.resources.map((r) => `${groupResourceString(r.info)}:${r.label}`),
        c.want,
      );
      assert.equal(got.namespaced, c.namespaced);
    });
  }
});

describe('association: group-resource → label', () => {
  const cases: { resources: string; gr: { group: string; resource: string }; want: string | undefined }[] = [
    { resources: 'template: "<<.Resource>>"', gr: { group: '', resource: 'pods' }, want: 'pod' },
    {
      resources: 'template: "<<.Resource>>"',
      gr: { group: 'apps', resource: 'deployments' },
      want: 'deployment',
    },
    {
      resources: 'template: "kube_<<.Group>>_<<.Resource>>"',
      gr: { group: 'example.com', resource: 'widgets' },
      want: 'kube_example_com_widget',
    },
    {
      resources: 'overrides:\n  kubernetes_pod_name: {resource: pod}',
      gr: { group: '', resource: 'pods' },
      want: 'kubernetes_pod_name',
    },
    {
      resources: 'overrides:\n  kubernetes_pod_name: {resource: pod}',
      gr: { group: '', resource: 'services' },
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(`${c.resources.split('\n').join(' ')} : ${groupResourceString(c.gr)} → ${String(c.want)}`, () => {
      const rule = ruleFrom(ruleYaml({ resources: c.resources }));
      assert.equal(rule.association.labelFor(c.gr, mapper), c.want);
    });
  }
});
