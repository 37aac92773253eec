/**
 * Cleanup: what one run created (at its end and on Ctrl-C), and `coldbench clean`, which finds
 * resources by name prefix AND tag (layers: prefix AND description markers) and nothing else.
 */
import { DeleteLogGroupCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteRoleCommand, DetachRolePolicyCommand, GetRoleCommand, type IAMClient, ListAttachedRolePoliciesCommand, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import {
  DeleteFunctionCommand,
  DeleteLayerVersionCommand,
  type LambdaClient,
  ListFunctionsCommand,
  ListLayerVersionsCommand,
  ListLayersCommand,
  ListTagsCommand,
} from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CREATED_BY, type Created, NAME_PREFIX, ROLE_NAME, TAG_CREATED_BY, TAG_RUN, layerDescription, runPrefix } from './deploy.ts';
import { CONTROL_PLANE_RETRY, type RetryOptions, retryPolicy, withRetry } from './retry.ts';

function notFound(error: unknown): boolean {
  const name = (error as Error).name;
  return name === 'ResourceNotFoundException' || name === 'NoSuchEntityException' || name === 'NoSuchKey' || name === 'NotFound';
}

/**
 * A deleter that retries an update in progress (the SDK's retry strategy retries throttling; the
 * SDK does not retry ResourceConflictException), treats "not found" as already deleted, and collects
 * every other failure as `could not delete <what>: <message><hint>` (cleanup never throws).
 */
function deleter(retry: Partial<RetryOptions> | undefined, hint = '') {
  const failures: string[] = [];
  const opts = retryPolicy(CONTROL_PLANE_RETRY, retry);
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await withRetry(fn, opts);
    } catch (error) {
      if (!notFound(error)) failures.push(`could not delete ${what}: ${(error as Error).message}${hint}`);
    }
  };
  return { attempt, failures };
}

/** Deletes what this run created; returns the failures (cleanup never throws: it runs in `finally`). */
export async function cleanupCreated(clients: { lambda: LambdaClient; s3: S3Client }, created: Created, retry?: Partial<RetryOptions>): Promise<string[]> {
  const { attempt, failures } = deleter(retry, '; `coldbench clean` retries it');
  // DeleteFunction removes every published version with it.
  for (const name of created.functions) await attempt(`function ${name}`, () => clients.lambda.send(new DeleteFunctionCommand({ FunctionName: name })));
  created.functions.clear();
  for (const [name, versions] of created.layers) {
    for (const version of versions)
      await attempt(`layer ${name}:${version}`, () => clients.lambda.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: version })));
  }
  created.layers.clear();
  for (const o of created.s3Objects) await attempt(`s3://${o.bucket}/${o.key}`, () => clients.s3.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: o.key })));
  created.s3Objects.length = 0;
  return failures;
}

export interface CleanOptions {
  /** Only this run's resources */
  runId?: string;
  /** Also the execution role */
  roles?: boolean;
  /** Also the log groups of the functions deleted */
  logs?: boolean;
}

export interface Cleanable {
  functions: string[];
  layers: Array<{ name: string; version: number }>;
  role: string | null;
  logGroups: string[];
}

/** Lists what `clean` would delete: prefix and tags must both match. */
export async function findCleanable(clients: { lambda: LambdaClient; iam: IAMClient }, options: CleanOptions): Promise<Cleanable> {
  const prefix = options.runId ? `${runPrefix(options.runId)}-` : NAME_PREFIX;
  const functions: string[] = [];
  const layerHints = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await clients.lambda.send(new ListFunctionsCommand({ Marker: marker }));
    for (const fn of page.Functions ?? []) {
      if (!fn.FunctionName?.startsWith(prefix) || !fn.FunctionArn) continue;
      const tags = (await clients.lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn }))).Tags ?? {};
      if (tags[TAG_CREATED_BY] !== CREATED_BY) continue;
      if (options.runId && tags[TAG_RUN] !== options.runId) continue;
      functions.push(fn.FunctionName);
      for (const layer of fn.Layers ?? []) layerHints.add(layer.Arn?.split(':')[6] ?? '');
    }
    marker = page.NextMarker;
  } while (marker);

  const layers: Cleanable['layers'] = [];
  for (const name of await layerNames(clients.lambda, prefix, layerHints)) {
    let versionMarker: string | undefined;
    do {
      const versions = await clients.lambda.send(new ListLayerVersionsCommand({ LayerName: name, Marker: versionMarker }));
      for (const v of versions.LayerVersions ?? []) {
        const description = v.Description ?? '';
        const ours = options.runId ? description === layerDescription(options.runId) : description.startsWith(`${TAG_CREATED_BY}=${CREATED_BY} ${TAG_RUN}=`);
        if (ours && v.Version !== undefined) layers.push({ name, version: v.Version });
      }
      versionMarker = versions.NextMarker;
    } while (versionMarker);
  }

  let role: string | null = null;
  if (options.roles) {
    try {
      await clients.iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
      const tags = (await clients.iam.send(new ListRoleTagsCommand({ RoleName: ROLE_NAME }))).Tags ?? [];
      if (tags.some((t) => t.Key === TAG_CREATED_BY && t.Value === CREATED_BY)) role = ROLE_NAME;
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  }
  return { functions, layers, role, logGroups: options.logs ? functions.map((f) => `/aws/lambda/${f}`) : [] };
}

/**
 * Layer names with the prefix: from ListLayers, or — on endpoints without ListLayers — from
 * the layers the found functions use (layers of already deleted functions are then missed).
 */
async function layerNames(lambda: LambdaClient, prefix: string, hints: Set<string>): Promise<string[]> {
  const names = new Set<string>();
  try {
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListLayersCommand({ Marker: marker }));
      for (const layer of page.Layers ?? []) if (layer.LayerName) names.add(layer.LayerName);
      marker = page.NextMarker;
    } while (marker);
  } catch (error) {
    if ((error as Error).name !== 'UnknownOperationException') throw error;
    for (const hint of hints) names.add(hint);
  }
  return [...names].filter((n) => n.startsWith(prefix)).sort();
}

/** Deletes what findCleanable listed; returns the failures. */
export async function deleteCleanable(
  clients: { lambda: LambdaClient; iam: IAMClient; logs: CloudWatchLogsClient },
  found: Cleanable,
  retry?: Partial<RetryOptions>,
): Promise<string[]> {
  const { attempt, failures } = deleter(retry);
  for (const name of found.functions) await attempt(`function ${name}`, () => clients.lambda.send(new DeleteFunctionCommand({ FunctionName: name })));
  for (const l of found.layers)
    await attempt(`layer ${l.name}:${l.version}`, () => clients.lambda.send(new DeleteLayerVersionCommand({ LayerName: l.name, VersionNumber: l.version })));
  for (const group of found.logGroups) await attempt(`log group ${group}`, () => clients.logs.send(new DeleteLogGroupCommand({ logGroupName: group })));
  const role = found.role;
  if (role) {
    await attempt(`role ${role}`, async () => {
      const attached = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }));
      for (const p of attached.AttachedPolicies ?? []) await clients.iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: p.PolicyArn }));
      await clients.iam.send(new DeleteRoleCommand({ RoleName: role }));
    });
  }
  return failures;
}
