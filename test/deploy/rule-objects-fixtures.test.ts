/**
 * The simulated kube-apiserver's tests install CRDs from test/harness/crd-fixtures.ts; this keeps
 * them the shipped ones (manifests/): the same group, names, scope, status subresource and
 * printer columns, so what `kubectl get metricrules -A` shows in those tests is what a cluster
 * shows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterMetricRuleCrd, metricRuleCrd } from '../harness/crd-fixtures.js';
import { MANIFESTS, objectsOfKind, renderKustomization } from './rendered.js';

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { plural: string; kind: string; shortNames?: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns?: { name: string; type: string; jsonPath: string }[];
    }[];
  };
}

function essentials(crd: Crd): unknown {
  const v = crd.spec.versions.find((x) => x.storage);
  return {
    name: crd.metadata.name,
    group: crd.spec.group,
    scope: crd.spec.scope,
    plural: crd.spec.names.plural,
    kind: crd.spec.names.kind,
    shortNames: [...(crd.spec.names.shortNames ?? [])].sort(),
    version: v?.name,
    served: v?.served,
    status: v?.subresources?.status !== undefined,
    columns: (v?.additionalPrinterColumns ?? []).map((c) => [c.name, c.type, c.jsonPath]),
  };
}

describe('the simulated API installs the shipped rule-object CRDs', () => {
  for (const fixture of [metricRuleCrd(), clusterMetricRuleCrd()] as unknown as Crd[]) {
    it(fixture.metadata.name, async () => {
      const { objects } = await renderKustomization(MANIFESTS);
      const shipped = objectsOfKind<Crd>(objects, 'CustomResourceDefinition').find(
        (c) => c.metadata.name === fixture.metadata.name,
      );
      assert.ok(shipped, `manifests/ ship ${fixture.metadata.name}`);
      assert.deepEqual(essentials(fixture), essentials(shipped));
    });
  }
});
