/**
 * Writes kubeconfig files (apiVersion v1, kind Config) with inline CA and credential data, the form
 * both kubectl and @kubernetes/client-node load.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigCredentials {
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
}

export interface KubeconfigSpec {
  /** https://127.0.0.1:<port> */
  server: string;
  caPem: string;
  credentials: KubeconfigCredentials;
  clusterName?: string;
  userName?: string;
  contextName?: string;
  namespace?: string;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function renderKubeconfig(spec: KubeconfigSpec): string {
  const cluster = spec.clusterName ?? 'test-cluster';
  const user = spec.userName ?? 'test-user';
  const context = spec.contextName ?? `${user}@${cluster}`;
  const creds: Record<string, string> = {};
  if (spec.credentials.token !== undefined) creds.token = spec.credentials.token;
  if (spec.credentials.clientCertPem !== undefined)
    creds['client-certificate-data'] = b64(spec.credentials.clientCertPem);
  if (spec.credentials.clientKeyPem !== undefined)
    creds['client-key-data'] = b64(spec.credentials.clientKeyPem);
  if ((creds['client-certificate-data'] === undefined) !== (creds['client-key-data'] === undefined)) {
    throw new Error('kubeconfig: client certificate and key must be given together');
  }
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      { name: cluster, cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caPem) } },
    ],
    users: [{ name: user, user: creds }],
    contexts: [{ name: context, context: { cluster, user, namespace: spec.namespace ?? 'default' } }],
    'current-context': context,
  });
}

/** Writes `<dir>/<fileName>` with mode 0600 and returns its path. */
export async function writeKubeconfigFile(
  dir: string,
  fileName: string,
  spec: KubeconfigSpec,
): Promise<string> {
  if (!/^[A-Za-z0-9._-]+$/.test(fileName))
    throw new Error(`kubeconfig: unsafe file name ${JSON.stringify(fileName)}`);
  const file = path.join(dir, fileName);
  await writeFile(file, renderKubeconfig(spec), { mode: 0o600 });
  return file;
}
