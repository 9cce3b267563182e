/**
 * OpenAPI documents for the kube-aggregator. It downloads `/openapi/v2` (one Swagger 2.0 document,
 * merged into the cluster's spec) and `/openapi/v3` (a discovery index pointing at one OpenAPI 3.0
 * document per group-version, each addressed with a content hash so clients can cache it forever).
 * The documents describe exactly the routes and types this server answers: each API group's
 * module (openapi-custom.ts, openapi-external.ts, openapi-resource.ts) gives its routes and types,
 * openapi-meta.ts the shared apimachinery ones, openapi-render.ts renders them. Everything is
 * rendered and serialized once at startup; the HTTP handlers only send the resulting strings.
 */
import { createHash } from 'node:crypto';
import { customMetricsDocs } from './openapi-custom.js';
import { externalMetricsDocs } from './openapi-external.js';
import { metaSchemas } from './openapi-meta.js';
import { DEF, DISCOVERY_ERRORS, type ApiGroupDocs, type Operation, type Schema } from './openapi-model.js';
import { renderV2, renderV3, type OpenApiInfo } from './openapi-render.js';
import { resourceMetricsDocs } from './openapi-resource.js';

export type { OpenApiInfo } from './openapi-render.js';

export interface OpenApiDocuments {
  /** Serialized Swagger 2.0 document. */
  v2: string;
  /** Serialized `/openapi/v3` discovery index. */
  v3Root: string;
  /** 'apis/<group>/<version>' → serialized OpenAPI 3.0.0 document, its quoted ETag and its hash. */
  v3: ReadonlyMap<string, { body: string; etag: string; hash: string }>;
}

const GROUPS: readonly ApiGroupDocs[] = [customMetricsDocs, externalMetricsDocs, resourceMetricsDocs];

/** Every definition, keyed by its Kubernetes name. */
const SCHEMAS: ReadonlyMap<string, Schema> = new Map(
  [metaSchemas, ...GROUPS.map((g) => g.schemas)].flatMap((schemas) => Object.entries(schemas)),
);

/** Discovery routes above the group-versions; they appear in the v2 document only. */
function groupOperations(): Operation[] {
  return [
    {
      path: '/apis/',
      operationId: 'getAPIVersions',
      description: 'List the API groups this server offers.',
      tag: 'apis',
      pathParams: [],
      queryParams: [],
      response: DEF.APIGroupList,
      errors: DISCOVERY_ERRORS,
    },
    ...GROUPS.map((g): Operation => ({
      path: `/apis/${g.group}/`,
      operationId: `get${g.ident}APIGroup`,
      description: `Describe the versions of ${g.group}.`,
      tag: g.tag,
      pathParams: [],
      queryParams: [],
      response: DEF.APIGroup,
      errors: DISCOVERY_ERRORS,
    })),
  ];
}

function allOperations(): Operation[] {
  return [...groupOperations(), ...GROUPS.flatMap((g) => g.operations())];
}
/** Uppercase hex SHA-512 of the document, the form Kubernetes uses in `?hash=` and ETags. */
function contentHash(body: string): string {
  return createHash('sha512').update(body, 'utf8').digest('hex').toUpperCase();
} /**
 * Renders and serializes every document. Pure and deterministic: the same info always yields
 * byte-identical strings (and therefore the same hashes). Call it once at startup.
 */
export function buildOpenApiDocuments(info: OpenApiInfo): OpenApiDocuments {
  const ops = allOperations();
  const v2 = JSON.stringify(renderV2(info, ops, SCHEMAS));

  const v3 = new Map<string, { body: string; etag: string; hash: string }>();
  const rootPaths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of GROUPS) {
    for (const version of g.versions) {
      const key = `apis/${g.group}/${version}`;
      const body = JSON.stringify(
        renderV3(
          info,
          ops.filter((op) => op.groupVersion === key),
          SCHEMAS,
        ),
      );
      const hash = contentHash(body);
      v3.set(key, { body, etag: `"${hash}"`, hash });
      rootPaths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
  }
  const v3Root = JSON.stringify({ paths: rootPaths });
  return { v2, v3Root, v3 };
}
