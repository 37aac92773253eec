import type { z } from 'zod';
import { AwsError, decodeSegment, invalidParameter } from '../errors.ts';
import { AliasOperations } from './aliases.ts';
import type { FunctionRegistry } from './functions.ts';
import type { S3Store } from '../s3.ts';
import type { LayerRegistry } from './layers.ts';
import { ProvisionedOperations } from './provisioned.ts';
import * as req from './requests.ts';

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface RouteInput {
  params: string[];
  query: URLSearchParams;
  json: () => Record<string, unknown>;
  /** The body checked against the operation's schema (requests.ts): typed, or Lambda's ValidationException */
  body: <T>(schema: z.ZodType<T>) => T;
}

interface Route {
  method: string;
  pattern: RegExp;
  operation: string;
  run: (input: RouteInput) => RouteResult | Promise<RouteResult>;
}

const SEG = '([^/]+)';

/** Lambda's REST paths exactly as @aws-sdk/client-lambda sends them (Invoke has its own fast path in the server). */
export function lambdaRoutes(functions: FunctionRegistry, layers: LayerRegistry, s3: S3Store, routingSeed: number): Route[] {
  const r = (method: string, path: string, operation: string, run: Route['run']): Route => ({
    method,
    pattern: new RegExp(`^${path.replace(/\{\w+\}/g, SEG)}/?$`),
    operation,
    run,
  });
  const ok = (body: unknown, status = 200): RouteResult => ({ status, body });
  const aliases = new AliasOperations(functions, routingSeed);
  const provisioned = new ProvisionedOperations(functions);
  /** A deleted alias or version takes its provisioned concurrency configuration with it. */
  const forgetProvisioned = async (raw: string, qualifier: string | null) => {
    const fn = functions.functions.get(functions.parseName(raw).name);
    const q = qualifier ?? functions.parseName(raw).qualifier;
    if (fn && q) await provisioned.forget(fn, q);
  };
  return [
    r('POST', '/2015-03-31/functions/{name}/aliases', 'CreateAlias', ({ params, body }) => ok(aliases.create(params[0], body(req.createAlias)), 201)),
    r('GET', '/2015-03-31/functions/{name}/aliases', 'ListAliases', ({ params, query }) => ok(aliases.list(params[0], query))),
    r('GET', '/2015-03-31/functions/{name}/aliases/{alias}', 'GetAlias', ({ params }) => ok(aliases.get(params[0], params[1]))),
    r('PUT', '/2015-03-31/functions/{name}/aliases/{alias}', 'UpdateAlias', ({ params, body }) => ok(aliases.update(params[0], params[1], body(req.updateAlias)))),
    r('DELETE', '/2015-03-31/functions/{name}/aliases/{alias}', 'DeleteAlias', async ({ params }) => {
      aliases.delete(params[0], params[1]);
      await forgetProvisioned(params[0], params[1]);
      return { status: 204 };
    }),
    r('PUT', '/2019-09-30/functions/{name}/provisioned-concurrency', 'PutProvisionedConcurrencyConfig', async ({ params, query, body }) =>
      ok(await provisioned.put(params[0], query.get('Qualifier'), body(req.putProvisionedConcurrency)), 202),
    ),
    r('GET', '/2019-09-30/functions/{name}/provisioned-concurrency', 'GetProvisionedConcurrencyConfig', ({ params, query }) =>
      // ListProvisionedConcurrencyConfigs is the same path with List=ALL.
      ok(query.get('List') === 'ALL' ? provisioned.list(params[0], query) : provisioned.get(params[0], query.get('Qualifier'))),
    ),
    r('DELETE', '/2019-09-30/functions/{name}/provisioned-concurrency', 'DeleteProvisionedConcurrencyConfig', async ({ params, query }) => {
      await provisioned.delete(params[0], query.get('Qualifier'));
      return { status: 204 };
    }),
    r('POST', '/2015-03-31/functions', 'CreateFunction', async ({ body }) => ok(await functions.create(body(req.createFunction)), 201)),
    r('GET', '/2015-03-31/functions', 'ListFunctions', ({ query }) => ok(functions.list(query))),
    r('GET', '/2015-03-31/functions/{name}', 'GetFunction', ({ params, query }) => ok(functions.getFunction(params[0], query.get('Qualifier')))),
    r('DELETE', '/2015-03-31/functions/{name}', 'DeleteFunction', async ({ params, query }) => {
      await functions.delete(params[0], query.get('Qualifier'));
      if (query.get('Qualifier') ?? functions.parseName(params[0]).qualifier) await forgetProvisioned(params[0], query.get('Qualifier'));
      return { status: 204 };
    }),
    r('GET', '/2015-03-31/functions/{name}/configuration', 'GetFunctionConfiguration', ({ params, query }) => {
      const { fn, qualifier } = functions.find(params[0], query.get('Qualifier'));
      return ok(functions.configuration(fn, functions.revisionFor(fn, qualifier, false).version));
    }),
    r('PUT', '/2015-03-31/functions/{name}/configuration', 'UpdateFunctionConfiguration', ({ params, body }) =>
      ok(functions.updateConfiguration(params[0], body(req.configurationUpdate))),
    ),
    r('PUT', '/2015-03-31/functions/{name}/code', 'UpdateFunctionCode', async ({ params, body }) => ok(await functions.updateCode(params[0], body(req.updateFunctionCode)))),
    r('POST', '/2015-03-31/functions/{name}/versions', 'PublishVersion', ({ params, body }) => ok(functions.publishVersion(params[0], body(req.publishVersion)), 201)),
    r('GET', '/2015-03-31/functions/{name}/versions', 'ListVersionsByFunction', ({ params, query }) => ok(functions.listVersions(params[0], query))),
    r('PUT', '/2017-10-31/functions/{name}/concurrency', 'PutFunctionConcurrency', ({ params, body }) => ok(functions.putConcurrency(params[0], body(req.putFunctionConcurrency)))),
    r('GET', '/2019-09-30/functions/{name}/concurrency', 'GetFunctionConcurrency', ({ params }) => ok(functions.getConcurrency(params[0]))),
    r('DELETE', '/2017-10-31/functions/{name}/concurrency', 'DeleteFunctionConcurrency', ({ params }) => {
      functions.deleteConcurrency(params[0]);
      return { status: 204 };
    }),
    r('POST', '/2018-10-31/layers/{layer}/versions', 'PublishLayerVersion', async ({ params, body }) => {
      const input = body(req.publishLayerVersion);
      const content = input.Content;
      let zip: Buffer;
      if (content.ZipFile !== undefined) zip = Buffer.from(content.ZipFile, 'base64');
      else if (content.S3Bucket !== undefined && content.S3Key !== undefined) zip = await s3.read(content.S3Bucket, content.S3Key);
      else throw invalidParameter('Content: ZipFile (the base64 of a .zip file) or S3Bucket and S3Key is required.');
      return ok(await layers.publish(params[0], input, zip), 201);
    }),
    r('GET', '/2018-10-31/layers', 'ListLayers', ({ query }) => ok(query.get('find') === 'LayerVersion' ? layers.getByArn(query.get('Arn')) : layers.listLayers(query))),
    r('GET', '/2018-10-31/layers/{layer}/versions', 'ListLayerVersions', ({ params, query }) => ok(layers.list(params[0], query))),
    r('GET', '/2018-10-31/layers/{layer}/versions/{n}', 'GetLayerVersion', ({ params }) => ok(layers.get(params[0], params[1]))),
    r('DELETE', '/2018-10-31/layers/{layer}/versions/{n}', 'DeleteLayerVersion', ({ params }) => {
      layers.delete(params[0], params[1]);
      return { status: 204 };
    }),
    r('GET', '/2017-03-31/tags/{arn}', 'ListTags', ({ params }) => ok({ Tags: functions.tagTarget(params[0]).tags })),
    r('POST', '/2017-03-31/tags/{arn}', 'TagResource', ({ params, body }) => {
      functions.tag(params[0], body(req.tagResource));
      return { status: 204 };
    }),
    r('DELETE', '/2017-03-31/tags/{arn}', 'UntagResource', ({ params, query }) => {
      functions.untag(params[0], query.getAll('tagKeys'));
      return { status: 204 };
    }),
    r('GET', '/2016-08-19/account-settings', 'GetAccountSettings', () =>
      ok({
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: 262_144_000,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: 1000,
          UnreservedConcurrentExecutions: 1000 - [...functions.functions.values()].reduce((s, f) => s + (f.reservedConcurrency ?? 0), 0),
        },
        AccountUsage: { TotalCodeSize: 0, FunctionCount: functions.functions.size },
      }),
    ),
  ];
}

/** Finds the route for a request; decoded path parameters, or a 404 UnknownOperationException. */
export function matchRoute(routes: Route[], method: string, pathname: string): { route: Route; params: string[] } {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    return { route, params: m.slice(1).map((p) => decodeSegment(p)) };
  }
  if (pathMatched) throw new AwsError('UnknownOperationException', 405, `${method} ${pathname} is not an operation of the Lambda API.`);
  throw new AwsError('UnknownOperationException', 404, `${method} ${pathname} is not an operation of the Lambda API implemented by the coldbench emulator.`);
}
