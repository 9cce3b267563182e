/**
 * The pieces every aggregated-API integration test puts in front of the simulated kube-apiserver:
 * the aggregator (proxying with the kube-apiserver's front-proxy identity, published in
 * kube-system/extension-apiserver-authentication), the adapter's PKI, a token kubeconfig for the
 * adapter and a user's (alice, group devs) kubeconfig through the aggregator.
 */
import { createAdapterPki, type AdapterPki } from '../helpers/adapter.js';
import { startFakeAggregator, type FakeAggregator } from '../helpers/fake-aggregator.js';
import type { FakeKube } from '../helpers/fake-kube.js';
import { LOOPBACK } from '../helpers/ports.js';

export interface AggregatedSetup {
  agg: FakeAggregator;
  pki: AdapterPki;
  adapterKubeconfig: string;
  userKubeconfig: string;
}

export async function startAggregated(kube: FakeKube, dir: string, token: string): Promise<AggregatedSetup> {
  const agg = await startFakeAggregator({
    clusterCA: kube.ca,
    availabilityIntervalMs: 0,
    delegate: {
      url: kube.url,
      caPem: kube.caPem,
      client: await kube.issueClientCertificate('system:apiserver', ['system:masters']),
    },
  });
  kube.setExtensionApiserverAuthentication(agg.requestHeaderAuthentication());
  const pki = await createAdapterPki(dir);
  const adapterKubeconfig = await kube.writeKubeconfig(dir, { user: 'token', token });
  const userKubeconfig = await agg.writeKubeconfig(dir, {
    commonName: 'alice',
    organizations: ['devs'],
    fileName: 'alice.kubeconfig',
  });
  return { agg, pki, adapterKubeconfig, userKubeconfig };
}

/**
 * The adapter's flags to serve on a free loopback port with `pki`, list from the simulated
 * kube-apiserver with `kubeconfig` and scrape the simulated fleet (its CA file and port), reaching
 * kubelets at InternalIP, then Hostname.
 */
export function fleetAdapterFlags(
  pki: AdapterPki,
  kubeconfig: string,
  fleetCAFile: string,
  fleetPort: number,
): string[] {
  return [
    '--secure-port=0',
    `--bind-address=${LOOPBACK}`,
    `--tls-cert-file=${pki.servingFiles.certFile}`,
    `--tls-private-key-file=${pki.servingFiles.keyFile}`,
    `--client-ca-file=${pki.clientCAFile}`,
    // The front-proxy settings come from kube-system/extension-apiserver-authentication.
    `--lister-kubeconfig=${kubeconfig}`,
    `--kubelet-certificate-authority=${fleetCAFile}`,
    `--kubelet-port=${fleetPort}`,
    '--kubelet-preferred-address-types=InternalIP,Hostname',
  ];
}
