/**
 * Kubeconfig loading and credentials, as `@kubernetes/client-node`'s KubeConfig does them, built
 * from that package's own parts (the kubeconfig entry parsers of config_types.js and its
 * authenticators: exec plugins, token files, OIDC, azure, gcp) but without its index or config.js,
 * which load the whole generated API: ~64 of the 74 MiB that importing the package costs in RSS,
 * a third of the adapter's footprint at 1 000 nodes. Only what the adapter uses is here: load a
 * file or the in-cluster service account, the current cluster and user, and the TLS material and
 * headers for a request (applyToHTTPSOptions, minus the agent: our clients make their own).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Authenticator } from '@kubernetes/client-node/dist/auth.js';
import { AzureAuth } from '@kubernetes/client-node/dist/azure_auth.js';
import {
  newClusters,
  newContexts,
  newUsers,
  type Cluster,
  type Context,
  type User,
} from '@kubernetes/client-node/dist/config_types.js';
import { ExecAuth } from '@kubernetes/client-node/dist/exec_auth.js';
import { FileAuth } from '@kubernetes/client-node/dist/file_auth.js';
import { GoogleCloudPlatformAuth } from '@kubernetes/client-node/dist/gcp_auth.js';
import { OpenIDConnectAuth } from '@kubernetes/client-node/dist/oidc_auth.js';

export type { Cluster, User } from '@kubernetes/client-node/dist/config_types.js';

const SERVICEACCOUNT_ROOT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What applyToHTTPSOptions fills in (https.RequestOptions is one). */
export interface KubeHttpsOptions {
  headers?: object;
  auth?: string | null;
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  rejectUnauthorized?: boolean;
  servername?: string;
}

function fromFileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file !== undefined && file !== '') return fs.readFileSync(file);
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64');
  return undefined;
}

function absolute(root: string, file: string | undefined): string | undefined {
  return file === undefined || file === '' || path.isAbsolute(file) ? file : path.join(root, file);
}

export class KubeConfig {
  private readonly authenticators: Authenticator[] = [
    new AzureAuth(),
    new GoogleCloudPlatformAuth(),
    new ExecAuth(),
    new FileAuth(),
    new OpenIDConnectAuth(),
  ];
  private clusters: Cluster[] = [];
  private users: User[] = [];
  private contexts: Context[] = [];
  private currentContext = '';

  /** Reads a kubeconfig file; relative certificate paths are taken from its directory. */
  loadFromFile(file: string): void {
    const doc = parseYaml(fs.readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    if (doc === null || typeof doc !== 'object') throw new Error('not a kubeconfig (no YAML mapping)');
    this.clusters = newClusters(doc.clusters);
    this.contexts = newContexts(doc.contexts);
    this.users = newUsers(doc.users);
    const current = doc['current-context'];
    this.currentContext = typeof current === 'string' ? current : '';
    const root = path.dirname(file);
    this.clusters = this.clusters.map((c) => ({ ...c, caFile: absolute(root, c.caFile) }));
    this.users = this.users.map((u) => ({
      ...u,
      certFile: absolute(root, u.certFile),
      keyFile: absolute(root, u.keyFile),
    }));
  }

  loadFromClusterAndUser(cluster: Cluster, user: User): void {
    this.clusters = [cluster];
    this.users = [user];
    this.currentContext = 'loaded-context';
    this.contexts = [{ cluster: cluster.name, user: user.name, name: this.currentContext }];
  }

  /** The pod's service account: KUBERNETES_SERVICE_HOST/PORT, its CA and (rotated) token file. */
  loadFromCluster(): void {
    const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
    const port = process.env.KUBERNETES_SERVICE_PORT ?? '';
    const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
    const server = `${scheme}://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
    this.loadFromClusterAndUser(
      { name: 'inCluster', caFile: `${SERVICEACCOUNT_ROOT}/ca.crt`, server, skipTLSVerify: false },
      {
        name: 'inClusterUser',
        authProvider: { name: 'tokenFile', config: { tokenFile: `${SERVICEACCOUNT_ROOT}/token` } },
      },
    );
    this.contexts = [{ cluster: 'inCluster', user: 'inClusterUser', name: 'inClusterContext' }];
    this.currentContext = 'inClusterContext';
  }

  private currentContextObject(): Context | undefined {
    return this.contexts.find((c) => c.name === this.currentContext);
  }

  getCurrentCluster(): Cluster | null {
    const ctx = this.currentContextObject();
    return ctx === undefined ? null : (this.clusters.find((c) => c.name === ctx.cluster) ?? null);
  }

  getCurrentUser(): User | null {
    const ctx = this.currentContextObject();
    return ctx === undefined ? null : (this.users.find((u) => u.name === ctx.user) ?? null);
  }

  /** TLS material and credentials of the current context, applied to `opts` (re-read every call: they rotate). */
  async applyToHTTPSOptions(opts: KubeHttpsOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (user === null) return;
    if (cluster?.skipTLSVerify === true) opts.rejectUnauthorized = false;
    if (cluster?.tlsServerName !== undefined) opts.servername = cluster.tlsServerName;
    const ca = cluster === null ? undefined : fromFileOrData(cluster.caFile, cluster.caData);
    if (ca !== undefined) opts.ca = ca;
    const cert = fromFileOrData(user.certFile, user.certData);
    if (cert !== undefined) opts.cert = cert;
    const key = fromFileOrData(user.keyFile, user.keyData);
    if (key !== undefined) opts.key = key;
    const headers = (opts.headers ??= {}) as Record<string, unknown>;
    if (user.impersonateUser !== undefined) headers['Impersonate-User'] = user.impersonateUser;
    const authenticator = this.authenticators.find((a) => a.isAuthProvider(user));
    // The authenticators set headers.Authorization (and exec plugins may set cert/key).
    if (authenticator !== undefined) await authenticator.applyAuthentication(user, opts);
    if (user.token !== undefined && user.token !== '') headers.Authorization = `Bearer ${user.token}`;
    if (user.username !== undefined && user.username !== '')
      opts.auth = `${user.username}:${user.password ?? ''}`;
  }
}
