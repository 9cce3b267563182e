/** How to reach Prometheus; shared by serve, check and explain, which all query it. */
import { boolFlag, FlagError, listFlag, numberFlag, stringFlag, type FlagValues } from '../flags.js';
import { optionalFile } from './optional-file.js';

export interface PrometheusOptions {
  url: string;
  headers: Record<string, string>;
  tokenFile: string | undefined;
  caFile: string | undefined;
  clientCertFile: string | undefined;
  clientKeyFile: string | undefined;
  authKubeconfig: string | undefined;
  authInCluster: boolean;
  verb: 'GET' | 'POST';
  timeoutMs: number;
  coalesceQueries: boolean;
  /** --prometheus-tenant-header: the header of MetricRules' queries ('' : none). */
  tenantHeader?: string;
  /** --prometheus-tenant-from: the header's value, the namespace's name or one of its labels. */
  tenantFrom?: { kind: 'namespace' } | { kind: 'label'; key: string };
}

function headerMap(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function tenantFrom(value: string): PrometheusOptions['tenantFrom'] {
  return value.startsWith('label:')
    ? { kind: 'label', key: value.slice('label:'.length) }
    : { kind: 'namespace' };
}

/** The Prometheus connection flags (shared by serve, check and explain). */
export function buildPrometheusOptions(values: FlagValues): PrometheusOptions {
  const clientCertFile = optionalFile(values, 'prometheus-client-tls-cert-file');
  const clientKeyFile = optionalFile(values, 'prometheus-client-tls-key-file');
  if ((clientCertFile === undefined) !== (clientKeyFile === undefined)) {
    throw new FlagError(
      '--prometheus-client-tls-cert-file',
      '--prometheus-client-tls-cert-file and --prometheus-client-tls-key-file must be given together',
    );
  }
  const authKubeconfig = optionalFile(values, 'prometheus-auth-config');
  const authInCluster = boolFlag(values, 'prometheus-auth-incluster');
  if (authKubeconfig !== undefined && authInCluster) {
    throw new FlagError(
      '--prometheus-auth-incluster',
      '--prometheus-auth-incluster and --prometheus-auth-config cannot be used together',
    );
  }
  return {
    url: stringFlag(values, 'prometheus-url'),
    headers: headerMap(listFlag(values, 'prometheus-header')),
    tokenFile: optionalFile(values, 'prometheus-token-file'),
    caFile: optionalFile(values, 'prometheus-ca-file'),
    clientCertFile,
    clientKeyFile,
    authKubeconfig,
    authInCluster,
    verb: stringFlag(values, 'prometheus-verb') === 'POST' ? 'POST' : 'GET',
    timeoutMs: numberFlag(values, 'prometheus-timeout'),
    coalesceQueries: boolFlag(values, 'prometheus-query-coalescing'),
    tenantHeader: stringFlag(values, 'prometheus-tenant-header'),
    tenantFrom: tenantFrom(stringFlag(values, 'prometheus-tenant-from')),
  };
}
