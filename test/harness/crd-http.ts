/**
 * HTTP plumbing shared by the CRD tests of the simulated kube-apiserver: an admin token, calls
 * with JSON bodies, assertions on metav1.Status answers, watch streams, and the shapes read back.
 */
import assert from 'node:assert/strict';
import type { FakeKube, KubeObject } from '../helpers/fake-kube.js';
import {
  httpsRequest,
  openJsonLineStream,
  type HttpsResponse,
  type JsonLineStream,
} from '../helpers/https-client.js';

export interface Obj extends KubeObject {
  kind?: string;
  apiVersion?: string;
  status?: Record<string, unknown>;
  spec?: Record<string, unknown>;
}

export interface WatchEvent {
  type: string;
  object: Obj;
}

interface Status {
  kind: string;
  code: number;
  reason?: string;
  message: string;
}

export const TOKEN = 'crd-admin-token';
export const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export interface CrdClient {
  call: (method: string, path: string, body?: unknown) => Promise<HttpsResponse>;
  /** Asserts a Status of this code and reason (and message); returns its message. */
  expectStatus: (
    pending: HttpsResponse | Promise<HttpsResponse>,
    code: number,
    reason: string,
    message?: string,
  ) => Promise<string>;
  /** A watch of path (query string included), at most 10 s long. */
  watch: (path: string) => Promise<JsonLineStream<WatchEvent>>;
}

/** kube must know TOKEN as a member of system:masters. */
export function crdClient(kube: FakeKube): CrdClient {
  const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
  return {
    call: (method, path, body) =>
      httpsRequest(`${kube.url}${path}`, {
        method,
        ca: kube.caPem,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    expectStatus: async (pending, code, reason, message) => {
      const res = await pending;
      assert.equal(res.status, code, res.body);
      const status = res.json<Status>();
      assert.deepEqual([status.kind, status.code, status.reason], ['Status', code, reason]);
      if (message !== undefined) assert.equal(status.message, message);
      return status.message;
    },
    watch: (path) =>
      openJsonLineStream<WatchEvent>(`${kube.url}${path}&timeoutSeconds=10`, { ca: kube.caPem, headers }),
  };
}
