/** The kubelet scraper's settings, from metrics-server's flags. */
import { boolFlag, FlagError, listFlag, numberFlag, stringFlag, type FlagValues } from '../flags.js';
import { optionalFile } from './optional-file.js';

/** The kubelet scraper's settings (metrics-server's flags); the shape of KubeletScraperOptions in src/kubelet. */
export interface KubeletOptions {
  /** --kubelet-scraper: false leaves metrics.k8s.io to resourceRules alone. */
  enabled: boolean;
  preferredAddressTypes: string[];
  port: number;
  useNodeStatusPort: boolean;
  insecureTLS: boolean;
  caFile: string | undefined;
  clientCertFile: string | undefined;
  clientKeyFile: string | undefined;
  requestTimeoutMs: number;
  endpoint: 'summary' | 'resource';
  /** --kubelet-via-apiserver. */
  viaAPIServer: 'never' | 'fallback' | 'always';
  resolutionMs: number;
}

function viaAPIServerFrom(v: string): KubeletOptions['viaAPIServer'] {
  return v === 'fallback' || v === 'always' ? v : 'never';
}

export function kubeletOptionsFrom(values: FlagValues): KubeletOptions {
  const clientCertFile = optionalFile(values, 'kubelet-client-certificate');
  const clientKeyFile = optionalFile(values, 'kubelet-client-key');
  if ((clientCertFile === undefined) !== (clientKeyFile === undefined)) {
    const missing = clientCertFile === undefined ? '--kubelet-client-certificate' : '--kubelet-client-key';
    throw new FlagError(
      missing,
      '--kubelet-client-certificate and --kubelet-client-key must be given together',
    );
  }
  const caFile = optionalFile(values, 'kubelet-certificate-authority');
  const insecureTLS = boolFlag(values, 'kubelet-insecure-tls');
  if (insecureTLS && caFile !== undefined) {
    throw new FlagError(
      '--kubelet-insecure-tls',
      '--kubelet-insecure-tls and --kubelet-certificate-authority cannot be used together',
    );
  }
  const resolutionMs = numberFlag(values, 'metric-resolution');
  const requestTimeoutMs = numberFlag(values, 'kubelet-request-timeout');
  return {
    enabled: boolFlag(values, 'kubelet-scraper'),
    preferredAddressTypes: listFlag(values, 'kubelet-preferred-address-types').filter((t) => t !== ''),
    port: numberFlag(values, 'kubelet-port'),
    useNodeStatusPort: boolFlag(values, 'kubelet-use-node-status-port'),
    insecureTLS,
    caFile,
    clientCertFile,
    clientKeyFile,
    requestTimeoutMs,
    endpoint: stringFlag(values, 'kubelet-endpoint') === 'resource' ? 'resource' : 'summary',
    viaAPIServer: viaAPIServerFrom(stringFlag(values, 'kubelet-via-apiserver')),
    resolutionMs,
  };
}
