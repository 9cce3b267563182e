/**
 * Request and response classes for the HTTPS server whose prototypes are the express app's own.
 * Express otherwise swaps the prototype of every request and response (Object.setPrototypeOf in
 * app.handle), which costs V8 its inline caches all through node:http: with these, the swap finds
 * the prototype already in place and changes nothing. On the benchmark machine this removed about
 * two thirds of express's CPU cost per request (bench/express-cost.ts).
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

export interface MessageClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

export function messageClassesFor(app: Express): MessageClasses {
  // Constructor functions rather than classes: a class's prototype cannot be another object.
  function AppRequest(this: IncomingMessage, ...args: unknown[]): void {
    Reflect.apply(IncomingMessage, this, args);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: ServerResponse, ...args: unknown[]): void {
    Reflect.apply(ServerResponse, this, args);
  }
  AppResponse.prototype = app.response;
  return {
    IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
    ServerResponse: AppResponse as unknown as typeof ServerResponse,
  };
}
