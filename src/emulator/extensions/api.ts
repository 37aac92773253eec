/**
 * HTTP routes of the Extensions API (2020-01-01) and the Telemetry API (2022-07-01), served on the
 * same host:port as the Runtime API (AWS_LAMBDA_RUNTIME_API), as on Lambda.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, reply } from '../environments/api-http.ts';
import { type ExtensionHost, extensionError } from './host.ts';
import type { TelemetryHub } from './telemetry.ts';

const EXTENSION_PREFIX = '/2020-01-01/extension/';
const TELEMETRY_PATHS = new Set(['/2022-07-01/telemetry', '/2022-07-01/telemetry/']);
/** Register and error bodies are small JSON documents; anything larger is refused. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface ExtensionsApi {
  host: ExtensionHost;
  telemetry: TelemetryHub;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** Answers the request when its path belongs to these APIs; false when it does not. */
export function routeExtensionsApi(req: IncomingMessage, res: ServerResponse, api: ExtensionsApi | null): boolean {
  const url = req.url ?? '';
  const isExtension = url.startsWith(EXTENSION_PREFIX);
  const isTelemetry = TELEMETRY_PATHS.has(url);
  if (!isExtension && !isTelemetry) return false;
  if (!api) {
    req.resume();
    extensionError(res, 404, 'InvalidRequest', `${url} is not served by this environment`);
    return true;
  }
  const id = header(req, 'lambda-extension-identifier');
  const action = url.slice(EXTENSION_PREFIX.length);
  if (isExtension && req.method === 'GET' && action === 'event/next') {
    req.resume();
    api.host.next(id, res);
    return true;
  }
  const withBody = (use: (body: Buffer) => void) =>
    readBody(req, MAX_BODY_BYTES, (body) => (body === null ? extensionError(res, 413, 'RequestEntityTooLarge', `The body is over ${MAX_BODY_BYTES} bytes`) : use(body)));
  if (isExtension && req.method === 'POST' && action === 'register') {
    withBody((body) => {
      const parsed = parseJson(body);
      if (!parsed.ok) return extensionError(res, 400, 'InvalidRequest', 'The register body is not JSON; send {"events": ["INVOKE", "SHUTDOWN"]}');
      const answer = api.host.register(header(req, 'lambda-extension-name'), parsed.value);
      reply(res, answer.status, answer.body, answer.headers);
    });
    return true;
  }
  if (isExtension && req.method === 'POST' && (action === 'init/error' || action === 'exit/error')) {
    // The body (read to its end, and refused when too large) is not kept: the error type header is what counts.
    withBody(() => api.host.error(action === 'init/error' ? 'init' : 'exit', id, header(req, 'lambda-extension-function-error-type'), res));
    return true;
  }
  if (isTelemetry && req.method === 'PUT') {
    withBody((body) => {
      const name = api.host.nameOf(id);
      if (!name) return extensionError(res, 403, 'Extension.InvalidExtensionIdentifier', `Lambda-Extension-Identifier ${id ?? '(missing)'} is not a registered extension`);
      const parsed = parseJson(body);
      if (!parsed.ok) return extensionError(res, 400, 'ValidationError', 'The subscription body is not JSON');
      const result = api.telemetry.subscribe(name, parsed.value);
      if (!result.ok) return extensionError(res, result.status, result.errorType, result.message);
      reply(res, 200, 'OK');
    });
    return true;
  }
  req.resume();
  extensionError(res, 404, 'InvalidRequest', `Unknown Extensions API path: ${req.method} ${url}`);
  return true;
}
