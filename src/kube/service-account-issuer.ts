/**
 * The cluster's service-account token issuer, read through the Kubernetes API with the adapter's
 * own credentials: the OpenID discovery document (`/.well-known/openid-configuration`) names the
 * issuer, and the signing keys come from `/openid/v1/jwks`, the path the kube-apiserver always
 * serves them on (its discovery document may advertise an external `jwks_uri` for other readers).
 * Reading both needs the `system:service-account-issuer-discovery` ClusterRole, which a cluster
 * grants to every service account by default.
 */
import type { KubeClient } from './client.js';

export interface JsonWebKeySetDocument {
  keys: Record<string, unknown>[];
}

const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
const JWKS_PATH = '/openid/v1/jwks';

export function parseJsonWebKeySet(doc: unknown, what: string): JsonWebKeySetDocument {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error(`${what} is not a JSON Web Key Set (no "keys" array)`);
  return {
    keys: keys.filter((k): k is Record<string, unknown> => k !== null && typeof k === 'object'),
  };
}

export async function readIssuerDiscovery(client: KubeClient, timeoutMs = 10_000): Promise<string> {
  const doc = await client.requestJSON<{ issuer?: unknown }>('GET', OPENID_CONFIGURATION_PATH, {
    timeoutMs,
  });
  if (typeof doc.issuer !== 'string' || doc.issuer === '')
    throw new Error(`${OPENID_CONFIGURATION_PATH} names no issuer`);
  return doc.issuer;
}

export async function readServiceAccountKeys(
  client: KubeClient,
  timeoutMs = 10_000,
): Promise<JsonWebKeySetDocument> {
  const doc = await client.requestJSON<unknown>('GET', JWKS_PATH, {
    timeoutMs,
    accept: 'application/jwk-set+json, application/json',
  });
  return parseJsonWebKeySet(doc, JWKS_PATH);
}
