/**
 * Reads kube-system/extension-apiserver-authentication, where the kube-apiserver publishes the CAs
 * and header names that every aggregated API server should trust.
 */
import type { KubeClient } from './client.js';

export interface ClusterAuthenticationInfo {
  clientCA: string | undefined;
  requestHeaderClientCA: string | undefined;
  requestHeaderAllowedNames: string[];
  requestHeaderUsernameHeaders: string[];
  requestHeaderGroupHeaders: string[];
  requestHeaderExtraHeaderPrefixes: string[];
  requestHeaderUIDHeaders: string[];
}

function jsonList(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
  } catch {
    return [];
  }
}

export async function readClusterAuthenticationInfo(client: KubeClient): Promise<ClusterAuthenticationInfo> {
  const cm = await client.requestJSON<{ data?: Record<string, string> }>(
    'GET',
    '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication',
  );
  const data = cm.data ?? {};
  const nonEmpty = (v: string | undefined): string | undefined =>
    v !== undefined && v.trim() !== '' ? v : undefined;
  return {
    clientCA: nonEmpty(data['client-ca-file']),
    requestHeaderClientCA: nonEmpty(data['requestheader-client-ca-file']),
    requestHeaderAllowedNames: jsonList(data['requestheader-allowed-names']),
    requestHeaderUsernameHeaders: jsonList(data['requestheader-username-headers']),
    requestHeaderGroupHeaders: jsonList(data['requestheader-group-headers']),
    requestHeaderExtraHeaderPrefixes: jsonList(data['requestheader-extra-headers-prefix']),
    requestHeaderUIDHeaders: jsonList(data['requestheader-uid-headers']),
  };
}
