/**
 * The `/apis` tree: discovery (`/apis`, `/apis/<group>`, `/apis/<group>/<version>`) from the
 * registry, and at `/apis/<group>/<version>` each served group-version's API router. A
 * group-version without an API yet still answers discovery (no resources) and is a 404 Status
 * below it. Where no cluster is (the demo), stand-in APIs answer the core reads beside them. The routes go on the app itself rather than on an `/apis` sub-router: one router level
 * less on every metric request.
 */
import type { Router } from 'express';
import { NotFoundError } from '../../errors.js';
import { SERVED_GROUPS, type ApiGroupRegistry, type StandInApis } from '../api-groups.js';
import { sendJSON } from '../respond.js';
import { NOT_FOUND_MESSAGE } from '../status.js';

export function addApiRoutes(app: Router, registry: ApiGroupRegistry, standIn?: StandInApis): void {
  // The stand-in's own paths (`/api/...`, `/apis/<its group>/...`) are its router's.
  if (standIn !== undefined) app.use(standIn.router);
  app.get('/apis', (_req, res) =>
    sendJSON(res, registry.apiGroupList(standIn?.groups), res.locals.context.query),
  );
  app.get('/apis/:group', (req, res) => {
    const group = registry.group(req.params.group);
    if (group === undefined) throw new NotFoundError(NOT_FOUND_MESSAGE);
    sendJSON(res, registry.apiGroup(group), res.locals.context.query);
  });
  app.get('/apis/:group/:version', (req, res) => {
    const { group, version } = req.params;
    if (!registry.served(group, version)) throw new NotFoundError(NOT_FOUND_MESSAGE);
    sendJSON(res, registry.apiResourceList(group, version), res.locals.context.query);
  });
  for (const { name, versions } of SERVED_GROUPS) {
    for (const version of versions) {
      const api = registry.api(name, version);
      app.use(
        `/apis/${name}/${version}`,
        api?.router ??
          (() => {
            throw new NotFoundError(`nothing is served under ${name}/${version} yet`);
          }),
      );
    }
  }
}
