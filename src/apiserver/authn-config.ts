/**
 * Where the authentication settings come from, kept current: the flags' CA files (watched), and,
 * for what the flags leave out, the cluster's extension-apiserver-authentication ConfigMap
 * (re-read periodically), exactly as the generic apiserver's delegated authentication does.
 */
import type { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FileSetWatcher } from '../config/file-watch.js';
import type { AuthenticationOptions } from '../config/serve-options.js';
import { errorMessage, TimeoutError, UnavailableError } from '../errors.js';
import {
  KubeApiError,
  readClusterAuthenticationInfo,
  type ClusterAuthenticationInfo,
  type KubeClient,
} from '../kube/index.js';
import type { Logger } from '../logging.js';
import { parseCertificateBundle } from './x509.js';

export interface CABundle {
  pem: string;
  roots: X509Certificate[];
}

export interface RequestHeaderConfig {
  ca: CABundle;
  allowedNames: string[];
  /** Header names, lower-cased. */
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
  uidHeaders: string[];
}

export interface AuthenticationConfig {
  clientCA: CABundle | undefined;
  requestHeader: RequestHeaderConfig | undefined;
}

export interface AuthenticationConfigSourceOptions {
  options: AuthenticationOptions;
  /** Client for the ConfigMap lookup; undefined when no cluster is configured. */
  kube: KubeClient | undefined;
  logger: Logger;
  configMapRefreshMs?: number;
  filePollMs?: number;
  /** Told the outcome of every reload attempt (the ConfigMap changed or failed to read, a CA file changed). */
  onReload?: (result: 'success' | 'failure') => void;
}

const LOOKUP_WAYS_OUT =
  'or give --client-ca-file and --requestheader-client-ca-file, --authentication-skip-lookup or --authentication-tolerate-lookup-failure';

/**
 * What to do about a failed ConfigMap lookup, by its cause: RBAC cannot fix a refused connection,
 * and a kubeconfig cannot fix a missing Role.
 */
export function lookupFailureHint(err: unknown, server?: string): string {
  if (err instanceof KubeApiError) {
    if (err.statusCode === 403)
      return `grant the extension-apiserver-authentication-reader Role in kube-system to the adapter's identity, ${LOOKUP_WAYS_OUT}`;
    if (err.statusCode === 401)
      return `the Kubernetes API does not accept the adapter's credentials: check the token or client certificate of --authentication-kubeconfig / --kubeconfig or the service account, ${LOOKUP_WAYS_OUT}`;
    if (err.statusCode === 404)
      return `this cluster has no such ConfigMap (not a kube-apiserver with aggregation enabled?): ${LOOKUP_WAYS_OUT.replace(/^or /, '')}`;
  }
  if (err instanceof UnavailableError || err instanceof TimeoutError) {
    const where = server === undefined || err.message.includes(server) ? '' : ` at ${server}`;
    return `the Kubernetes API${where} cannot be reached: check the server of --authentication-kubeconfig / --kubeconfig, or in a cluster KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, and that the API server is up; ${LOOKUP_WAYS_OUT}`;
  }
  return `check that the Kubernetes API answers and lets the adapter read the ConfigMap (the extension-apiserver-authentication-reader Role), ${LOOKUP_WAYS_OUT}`;
}

function bundle(pem: string, what: string): CABundle {
  return { pem, roots: parseCertificateBundle(pem, what) };
}

export class AuthenticationConfigSource {
  private config: AuthenticationConfig = { clientCA: undefined, requestHeader: undefined };
  private cluster: ClusterAuthenticationInfo | undefined;
  private readonly listeners: ((c: AuthenticationConfig) => void)[] = [];
  private watcher: FileSetWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: AuthenticationConfigSourceOptions) {}

  current(): AuthenticationConfig {
    return this.config;
  }

  onChange(listener: (c: AuthenticationConfig) => void): void {
    this.listeners.push(listener);
  }

  private needsLookup(): boolean {
    const a = this.o.options;
    return !a.skipLookup && (a.clientCAFile === undefined || a.requestHeader.clientCAFile === undefined);
  }

  /** Loads everything once; throws when a CA file is unusable or the required lookup fails. */
  async start(): Promise<void> {
    const a = this.o.options;
    if (this.needsLookup()) {
      if (this.o.kube === undefined) {
        this.o.logger.warn('no cluster configured: skipping the extension-apiserver-authentication lookup');
      } else {
        try {
          this.cluster = await readClusterAuthenticationInfo(this.o.kube);
        } catch (err) {
          const message = `unable to read kube-system/extension-apiserver-authentication: ${errorMessage(err)} (${lookupFailureHint(err, this.o.kube.server.origin)})`;
          if (!a.tolerateLookupFailure) throw new Error(message);
          this.o.logger.warn(message);
        }
      }
      this.timer = setInterval(() => void this.refreshClusterInfo(), this.o.configMapRefreshMs ?? 60_000);
      this.timer.unref();
    }
    this.config = await this.build();
    const files = [a.clientCAFile, a.requestHeader.clientCAFile].filter((f): f is string => f !== undefined);
    if (files.length > 0) {
      this.watcher = await FileSetWatcher.start(files, () => void this.rebuild('CA file changed'), {
        pollIntervalMs: this.o.filePollMs,
      });
    }
    this.logSummary();
  }

  private logSummary(): void {
    const c = this.config;
    this.o.logger.info(
      {
        clientCA: c.clientCA?.roots.map((r) => r.subject.replace(/\n/g, ',')),
        requestHeaderCA: c.requestHeader?.ca.roots.map((r) => r.subject.replace(/\n/g, ',')),
        requestHeaderAllowedNames: c.requestHeader?.allowedNames,
      },
      'authentication configured',
    );
    if (c.requestHeader === undefined) {
      this.o.logger.warn(
        'no requestheader CA: requests proxied by the kube-aggregator cannot be authenticated',
      );
    }
  }

  private async refreshClusterInfo(): Promise<void> {
    if (this.o.kube === undefined) return;
    try {
      const info = await readClusterAuthenticationInfo(this.o.kube);
      if (JSON.stringify(info) === JSON.stringify(this.cluster)) return;
      this.cluster = info;
      await this.rebuild('extension-apiserver-authentication changed');
    } catch (err) {
      this.o.onReload?.('failure');
      this.o.logger.warn(
        { err: errorMessage(err) },
        'extension-apiserver-authentication refresh failed; keeping the last settings',
      );
    }
  }

  private async rebuild(why: string): Promise<void> {
    try {
      this.config = await this.build();
      this.o.logger.info({ why }, 'authentication settings reloaded');
      this.logSummary();
      for (const l of this.listeners) l(this.config);
      this.o.onReload?.('success');
    } catch (err) {
      this.o.onReload?.('failure');
      this.o.logger.error(
        { why, err: errorMessage(err) },
        'new authentication settings rejected; keeping the previous ones',
      );
    }
  }

  private async build(): Promise<AuthenticationConfig> {
    const a = this.o.options;
    const cm = this.cluster;
    let clientCA: CABundle | undefined;
    if (a.clientCAFile !== undefined)
      clientCA = bundle(await readFile(a.clientCAFile, 'utf8'), `--client-ca-file ${a.clientCAFile}`);
    else if (cm?.clientCA !== undefined)
      clientCA = bundle(cm.clientCA, 'extension-apiserver-authentication client-ca-file');

    let requestHeader: RequestHeaderConfig | undefined;
    const rh = a.requestHeader;
    const lower = (xs: string[]): string[] => xs.map((x) => x.toLowerCase());
    if (rh.clientCAFile !== undefined) {
      requestHeader = {
        ca: bundle(
          await readFile(rh.clientCAFile, 'utf8'),
          `--requestheader-client-ca-file ${rh.clientCAFile}`,
        ),
        allowedNames: rh.allowedNames,
        usernameHeaders: lower(rh.usernameHeaders),
        groupHeaders: lower(rh.groupHeaders),
        extraHeaderPrefixes: lower(rh.extraHeaderPrefixes),
        uidHeaders: lower(rh.uidHeaders),
      };
    } else if (cm?.requestHeaderClientCA !== undefined) {
      // Flags given explicitly win over the ConfigMap; the rest comes from the ConfigMap.
      const pick = (flag: string, fromFlag: string[], fromCm: string[]): string[] =>
        a.requestHeaderFlagsGiven.has(flag) || fromCm.length === 0 ? fromFlag : fromCm;
      requestHeader = {
        ca: bundle(
          cm.requestHeaderClientCA,
          'extension-apiserver-authentication requestheader-client-ca-file',
        ),
        allowedNames: a.requestHeaderFlagsGiven.has('requestheader-allowed-names')
          ? rh.allowedNames
          : cm.requestHeaderAllowedNames,
        usernameHeaders: lower(
          pick('requestheader-username-headers', rh.usernameHeaders, cm.requestHeaderUsernameHeaders),
        ),
        groupHeaders: lower(
          pick('requestheader-group-headers', rh.groupHeaders, cm.requestHeaderGroupHeaders),
        ),
        extraHeaderPrefixes: lower(
          pick(
            'requestheader-extra-headers-prefix',
            rh.extraHeaderPrefixes,
            cm.requestHeaderExtraHeaderPrefixes,
          ),
        ),
        uidHeaders: lower(pick('requestheader-uid-headers', rh.uidHeaders, cm.requestHeaderUIDHeaders)),
      };
    }
    return { clientCA, requestHeader };
  }

  /** PEM of every CA a client certificate may come from, for the TLS handshake's CA hints. */
  clientCAPems(): string[] {
    const c = this.config;
    return [c.clientCA?.pem, c.requestHeader?.ca.pem].filter((p): p is string => p !== undefined);
  }

  close(): void {
    this.watcher?.close();
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
