// Templates as prometheus-adapter rules files write them, with the adapter's << >> delimiters.
import { GoMap } from '../../src/gotemplate/index.js';
import { runCases, type Case } from './helpers.js';

const D = ['<<', '>>'] as const;

/** Shaped like the adapter's QueryTemplateArgs. */
const queryArgs = {
  Series: 'http_requests_total',
  LabelMatchers: 'namespace="default",pod=~"web-1|web-2"',
  LabelValuesByName: new GoMap(
    [
      ['namespace', 'default'],
      ['pod', 'web-1|web-2'],
    ],
    '',
  ),
  GroupBy: 'namespace,pod',
  GroupBySlice: ['namespace', 'pod'],
};

const resourceArgs = { Group: 'apps', Resource: 'deployments' };
const coreResourceArgs = { Group: '', Resource: 'pods' };

const cases: Case[] = (
  [
    {
      name: 'rate query',
      template: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
      data: queryArgs,
      want: 'sum(rate(http_requests_total{namespace="default",pod=~"web-1|web-2"}[2m])) by (namespace,pod)',
    },
    {
      name: 'plain sum',
      template: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      data: queryArgs,
      want: 'sum(http_requests_total{namespace="default",pod=~"web-1|web-2"}) by (namespace,pod)',
    },
    {
      name: 'resource rule for cpu',
      template: 'sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[1m])) by (<<.GroupBy>>)',
      data: queryArgs,
      want: 'sum(rate(http_requests_total{namespace="default",pod=~"web-1|web-2",container!="POD"}[1m])) by (namespace,pod)',
    },
    {
      name: 'group-by list joined by range',
      template: '<<range $i, $l := .GroupBySlice>><<if $i>>,<<end>><<$l>><<end>>',
      data: queryArgs,
      want: 'namespace,pod',
    },
    {
      name: 'group-by list of one',
      template: '<<range $i, $l := .GroupBySlice>><<if $i>>,<<end>><<$l>><<end>>',
      data: { ...queryArgs, GroupBySlice: ['pod'] },
      want: 'pod',
    },
    {
      name: 'group-by list empty',
      template: 'by (<<range $i, $l := .GroupBySlice>><<if $i>>,<<end>><<$l>><<end>>)',
      data: { ...queryArgs, GroupBySlice: [] },
      want: 'by ()',
    },
    {
      name: 'label value by name',
      template: '<<index .LabelValuesByName "namespace">>',
      data: queryArgs,
      want: 'default',
    },
    {
      name: 'missing label value is the empty string',
      template: '[<<index .LabelValuesByName "node">>]',
      data: queryArgs,
      want: '[]',
    },
    {
      name: 'label value as a field of the map',
      template: 'ns=<<.LabelValuesByName.namespace>>',
      data: queryArgs,
      want: 'ns=default',
    },
    {
      name: 'missing label value as a field prints no value',
      template: 'node=<<.LabelValuesByName.node>>',
      data: queryArgs,
      want: 'node=<no value>',
    },
    {
      name: 'label value inside a selector',
      template: 'sum(rate(http_requests_total{namespace="<<index .LabelValuesByName "namespace">>"}[2m]))',
      data: queryArgs,
      want: 'sum(rate(http_requests_total{namespace="default"}[2m]))',
    },
    {
      name: 'resource naming',
      template: 'kube_<<.Group>>_<<.Resource>>',
      data: resourceArgs,
      want: 'kube_apps_deployments',
    },
    {
      name: 'resource naming with empty group',
      template: 'kube_<<.Group>>_<<.Resource>>',
      data: coreResourceArgs,
      want: 'kube__pods',
    },
    {
      name: 'optional group prefix',
      template: '<<if .Group>><<.Group>>_<<end>><<.Resource>>',
      data: resourceArgs,
      want: 'apps_deployments',
    },
    {
      name: 'optional group prefix, core group',
      template: '<<if .Group>><<.Group>>_<<end>><<.Resource>>',
      data: coreResourceArgs,
      want: 'pods',
    },
    {
      name: 'join with sprig argument order',
      template: '<<.GroupBySlice | join ",">>',
      data: queryArgs,
      want: 'namespace,pod',
    },
    {
      name: 'join with list first',
      template: '<<join .GroupBySlice ",">>',
      data: queryArgs,
      want: 'namespace,pod',
    },
    {
      name: 'printf builds a selector',
      template: '<<printf "%s{%s}" .Series .LabelMatchers>>',
      data: queryArgs,
      want: 'http_requests_total{namespace="default",pod=~"web-1|web-2"}',
    },
    {
      name: 'ratio of two series',
      template:
        'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>) / sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      data: queryArgs,
      want: 'sum(rate(http_requests_total{namespace="default",pod=~"web-1|web-2"}[2m])) by (namespace,pod) / sum(http_requests_total{namespace="default",pod=~"web-1|web-2"}) by (namespace,pod)',
    },
    {
      name: 'multi-line query with trim markers',
      template: 'sum(\n  rate(<<.Series>>{<<.LabelMatchers>>}[5m])\n) by (\n  <<- .GroupBy ->>\n)',
      data: queryArgs,
      want: 'sum(\n  rate(http_requests_total{namespace="default",pod=~"web-1|web-2"}[5m])\n) by (namespace,pod)',
    },
    {
      name: 'with on a label value',
      template: 'up<<with index .LabelValuesByName "namespace">>{namespace="<<.>>"}<<end>>',
      data: queryArgs,
      want: 'up{namespace="default"}',
    },
    {
      name: 'with on a missing label value',
      template: 'up<<with index .LabelValuesByName "node">>{node="<<.>>"}<<end>>',
      data: queryArgs,
      want: 'up',
    },
    {
      name: 'default delimiters leave << >> alone',
      template: 'sum(<<.Series>>) by ({{.GroupBy}})',
      data: queryArgs,
      want: 'sum(<<.Series>>) by (namespace,pod)',
      delims: undefined,
    },
    {
      name: 'braces of a selector are text with << >> delimiters',
      template: '{__name__=~"<<.Series>>"}',
      data: queryArgs,
      want: '{__name__=~"http_requests_total"}',
    },
    {
      name: 'typo: closing brace inside an action',
      template: '<<.Series>>{<<}>>',
      data: queryArgs,
      wantErr: 'template: tmpl:1:14: unexpected "}" in command',
      errorType: 'syntax',
    },
    {
      name: 'typo: misspelled field',
      template: 'sum(<<.Serie>>)',
      data: queryArgs,
      wantErr: 'template: tmpl:1:6: executing "tmpl" at <.Serie>: can\'t evaluate field Serie in type struct',
      errorType: 'exec',
    },
  ] satisfies Case[]
).map((c) => ({ delims: D, ...c }));

runCases('prometheus-adapter templates', cases);
