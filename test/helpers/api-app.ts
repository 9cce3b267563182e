/**
 * One group-version API behind the real express app, over plain HTTP on loopback with every path
 * always allowed: for tests of an API's routes, validation and Status answers without TLS or
 * authorization (those are covered end to end in test/integration).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGroupRegistry, type GroupVersionApi, type StandInApis } from '../../src/apiserver/api-groups.js';
import { createApp, type RequestLimits } from '../../src/apiserver/app.js';
import { Authenticator } from '../../src/apiserver/authn.js';
import { HealthChecks } from '../../src/apiserver/health.js';
import { messageClassesFor } from '../../src/apiserver/message-classes.js';
import { buildOpenApiDocuments } from '../../src/apiserver/openapi.js';
import { silentLogger } from '../../src/logging.js';
import { SelfMetrics } from '../../src/self-metrics.js';
import { LOOPBACK } from './ports.js';

export interface ApiAnswer {
  status: number;
  body: string;
  json: unknown;
}

export interface ServeApiOptions {
  /** Read-only APIs standing in for a cluster (the demo's). */
  standIn?: StandInApis;
  /** The app's request limits (default: none). */
  limits?: RequestLimits;
  /** Default: a fresh SelfMetrics. */
  metrics?: SelfMetrics;
  /** Default: no checks. */
  health?: HealthChecks;
  /** The HTTP server's limit on a request's head (default: Node's). */
  maxHeaderSize?: number;
}

export interface ServedApi {
  port: number;
  /** GET a path below /apis/<group>/<version> (with its query string). */
  get(path: string): Promise<ApiAnswer>;
  /** GET any path of the app. */
  getPath(path: string): Promise<ApiAnswer>;
  close(): void;
}

export async function serveApi(
  group: string,
  version: string,
  api: GroupVersionApi,
  options: ServeApiOptions = {},
): Promise<ServedApi> {
  const groups = new ApiGroupRegistry();
  groups.register(group, version, api);
  const app = createApp({
    logger: silentLogger(),
    metrics: options.metrics ?? new SelfMetrics(),
    health: options.health ?? new HealthChecks(),
    authenticator: new Authenticator({ clientCA: undefined, requestHeader: undefined }),
    authorizer: { authorize: () => Promise.reject(new Error('every path is always allowed here')) },
    alwaysAllowPaths: ['/*'],
    groups,
    openapi: buildOpenApiDocuments({ title: 'test', version: '0' }),
    standIn: options.standIn,
    limits: options.limits,
  });
  const server = http.createServer(
    {
      ...messageClassesFor(app),
      ...(options.maxHeaderSize === undefined ? {} : { maxHeaderSize: options.maxHeaderSize }),
    },
    app,
  );
  server.listen(0, LOOPBACK);
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `/apis/${group}/${version}`;
  const getPath = (path: string): Promise<ApiAnswer> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: LOOPBACK, port, path, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, json });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer`)));
      req.on('error', reject);
      req.end();
    });
  return {
    port,
    get: (path) => getPath(`${base}${path}`),
    getPath,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
