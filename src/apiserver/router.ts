/**
 * Every express Router of this server matches like the kube-apiserver's mux: case-sensitively
 * (`/APIS` is not `/apis`), a trailing slash tolerated.
 */
import { Router } from 'express';

export function newRouter(): Router {
  return Router({ caseSensitive: true, strict: false });
}
