import { createServer, type Server, type ServerResponse } from 'node:http';
import { type ExtensionsApi, routeExtensionsApi } from '../extensions/api.ts';
import { readBody, reply } from './api-http.ts';

/** Lambda's limit on a synchronous response payload, in bytes (6 MB plus framing, as AWS states it). */
export const MAX_RESPONSE_BYTES = 6_291_556;

const PREFIX = '/2018-06-01/runtime';
const INVOCATION = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;

/** What an environment does with each Runtime API call; the server only parses HTTP. */
export interface RuntimeApiHandler {
  next(res: ServerResponse): void;
  response(requestId: string, body: Buffer | null, res: ServerResponse): void;
  invocationError(requestId: string, body: Buffer, errorType: string | undefined, res: ServerResponse): void;
  initError(body: Buffer, errorType: string | undefined, res: ServerResponse): void;
  /** The Extensions and Telemetry APIs on the same host (null: an environment without them) */
  readonly extensionsApi?: ExtensionsApi | null;
}

/**
 * One environment's Runtime API listener (2018-06-01 paths), which also serves the Extensions and
 * Telemetry APIs (src/emulator/extensions). `/next` blocks for as long as the
 * environment waits for work, so every server timeout is off.
 */
export function createRuntimeApiServer(handler: RuntimeApiHandler): Server {
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    const errorType = req.headers['lambda-runtime-function-error-type'] as string | undefined;
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      req.resume();
      handler.next(res);
      return;
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      readBody(req, MAX_RESPONSE_BYTES, (body) => handler.initError(body ?? Buffer.alloc(0), errorType, res));
      return;
    }
    if (routeExtensionsApi(req, res, handler.extensionsApi ?? null)) return;
    const m = req.method === 'POST' ? INVOCATION.exec(url) : null;
    if (m) {
      const [, requestId, kind] = m;
      readBody(req, MAX_RESPONSE_BYTES, (body) => {
        if (kind === 'response') handler.response(requestId, body, res);
        else handler.invocationError(requestId, body ?? Buffer.alloc(0), errorType, res);
      });
      return;
    }
    req.resume();
    reply(res, 404, { errorMessage: `Unknown Runtime API path: ${req.method} ${url}`, errorType: 'InvalidRequest' });
  });
  server.requestTimeout = 0;
  server.keepAliveTimeout = 0;
  server.headersTimeout = 0;
  return server;
}
