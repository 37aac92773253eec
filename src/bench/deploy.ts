/**
 * Deploy: the execution role (real account), layers and functions, named with the run's
 * prefix and tagged, created or updated idempotently (so --resume can redeploy), with
 * waiters instead of sleeps and retries for throttling, conflicts and role propagation.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, type GetRoleCommandOutput, type IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  type LambdaClient,
  PublishLayerVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { DeployError } from './errors.ts';
import { type BuiltPackage, type BuiltZip, MAX_DIRECT_UPLOAD_BYTES } from './package.ts';
import type { Variant } from './plan.ts';
import { CONTROL_PLANE_RETRY, ROLE_PROPAGATION_RETRY, type RetryOptions, retryPolicy, withRetry } from './retry.ts';
import type { TargetKind } from './target.ts';

/** Every name coldbench creates starts with this; `clean` also requires the tags below. */
export const NAME_PREFIX = 'coldbench-';
export const TAG_RUN = 'coldbench:run';
export const TAG_CREATED_BY = 'coldbench:created-by';
export const CREATED_BY = 'coldbench';
/** The execution role, created once per account and reused (deleted only by `clean --roles`). */
export const ROLE_NAME = 'coldbench-execution-role';
const BASIC_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
/** Emulators accept any role ARN; this one names coldbench so it is recognisable in listings. */
const LOCAL_ROLE_ARN = 'arn:aws:iam::000000000000:role/coldbench-execution-role';
/** Lambda's function-name limit. */
const MAX_NAME_LENGTH = 64;
/** Waiters give up after this long (a function normally turns Active in seconds). */
const WAITER_MAX_S = 300;

/** `coldbench-<runId>-<variant>`, made legal for Lambda and ≤ 64 chars (hash-suffixed when cut). */
export function resourceName(runId: string, part: string): string {
  const raw = `${NAME_PREFIX}${runId}-${part}`.replace(/[^A-Za-z0-9_-]/g, '-');
  if (raw.length <= MAX_NAME_LENGTH) return raw;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return `${raw.slice(0, MAX_NAME_LENGTH - 9)}-${hash}`;
}

/** The prefix every resource of one run carries. */
export function runPrefix(runId: string): string {
  return resourceName(runId, '').replace(/-$/, '');
}

export function tagsFor(runId: string): Record<string, string> {
  return { [TAG_RUN]: runId, [TAG_CREATED_BY]: CREATED_BY };
}

/** Layers cannot carry tags, so their description carries the same two markers. */
export function layerDescription(runId: string): string {
  return `${TAG_CREATED_BY}=${CREATED_BY} ${TAG_RUN}=${runId}`;
}

export interface DeployContext {
  kind: TargetKind;
  lambda: LambdaClient;
  iam: IAMClient;
  s3: S3Client;
  sts: STSClient;
  runId: string;
  /** The emulator URL for local/URL targets: set as AWS_ENDPOINT_URL so fixtures' SDK calls reach it */
  endpoint?: string;
  region: string;
  /** Injected in tests so backoff does not wait */
  retry?: Partial<RetryOptions>;
  log?: (line: string) => void;
}

/** A deployed variant: what later steps (drive, cleanup, resume) need to know about it. */
export interface Deployment {
  variant: Variant;
  functionName: string;
  layerArn: string | null;
  /** The environment map as deployed; bumps merge into it, never replace it */
  environment: Record<string, string>;
  bumps: number;
  /** Versions published by the `version` strategy (deleted at cleanup) */
  versions: string[];
  /** The version whose provisioned concurrency configuration this run put and has not deleted yet */
  provisionedOn?: string;
}

/** Resources this run created, for cleanup. */
export interface Created {
  functions: Set<string>;
  layers: Map<string, number[]>;
  s3Objects: Array<{ bucket: string; key: string }>;
}

export function emptyCreated(): Created {
  return { functions: new Set(), layers: new Map(), s3Objects: [] };
}

/** Waiter polling: AWS asks for ≥ 1 s between polls; an emulator updates within milliseconds. */
export function waiterConfig(ctx: { kind: TargetKind; lambda: LambdaClient }) {
  return { client: ctx.lambda, maxWaitTime: WAITER_MAX_S, minDelay: ctx.kind === 'aws' ? 1 : 0.05, maxDelay: ctx.kind === 'aws' ? 5 : 1 };
}

/**
 * withRetry around a control-plane call retries what the SDK does not: an update in progress, and
 * on AWS a role IAM has not propagated yet. The SDK's retry strategy retries throttling itself.
 */
function retryOptions(ctx: DeployContext, base: RetryOptions): RetryOptions {
  return { ...retryPolicy(base, ctx.retry), onRetry: (e, attempt, ms) => ctx.log?.(`retry ${attempt} in ${ms} ms: ${(e as Error).message}`) };
}

/** A field the AWS API always returns on success; a target that leaves it out is not speaking Lambda's/IAM's protocol. */
function answered<T>(value: T | undefined, call: string, field: string): T {
  if (value === undefined) throw new DeployError(`${call} answered without ${field}; the target does not implement this AWS API as documented`);
  return value;
}

/** The role ARN to deploy with: on a real account, created on first use and reused. */
export async function ensureRole(ctx: DeployContext): Promise<{ arn: string; created: boolean }> {
  if (ctx.kind !== 'aws') return { arn: LOCAL_ROLE_ARN, created: false };
  let existing: GetRoleCommandOutput | undefined;
  try {
    existing = await ctx.iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
  } catch (error) {
    if ((error as Error).name !== 'NoSuchEntityException')
      throw new DeployError(`cannot read IAM role ${ROLE_NAME}: ${(error as Error).message}; check the credentials' iam:GetRole permission`, { cause: error });
  }
  if (existing) return { arn: answered(existing.Role?.Arn, `IAM GetRole ${ROLE_NAME}`, 'Role.Arn'), created: false };
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const created = await ctx.iam.send(
    new CreateRoleCommand({
      RoleName: ROLE_NAME,
      AssumeRolePolicyDocument: JSON.stringify(trust),
      Description: 'Execution role for functions coldbench deploys; delete with `coldbench clean --roles`',
      Tags: [{ Key: TAG_CREATED_BY, Value: CREATED_BY }],
    }),
  );
  await ctx.iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: BASIC_EXECUTION_POLICY }));
  ctx.log?.(`created IAM role ${ROLE_NAME} (kept for later runs; \`coldbench clean --roles\` deletes it)`);
  return { arn: answered(created.Role?.Arn, `IAM CreateRole ${ROLE_NAME}`, 'Role.Arn'), created: true };
}

/**
 * Code for Create/UpdateFunctionCode or PublishLayerVersion: inline up to Lambda's 50 MB
 * direct-upload limit, through S3 above it — on every target, so an endpoint that serves S3
 * (LocalStack, a future emulator) takes large packages the same way AWS does.
 */
async function codeLocation(ctx: DeployContext, zip: BuiltZip, created: Created, what: string): Promise<{ ZipFile: Uint8Array } | { S3Bucket: string; S3Key: string }> {
  if (zip.zipBytes <= MAX_DIRECT_UPLOAD_BYTES) return { ZipFile: readFileSync(zip.path) };
  const mb = (zip.zipBytes / 1024 / 1024).toFixed(1);
  try {
    const identity = await ctx.sts.send(new GetCallerIdentityCommand({}));
    const bucket = `coldbench-artifacts-${identity.Account}-${ctx.region}`;
    try {
      await ctx.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      await ctx.s3.send(
        new CreateBucketCommand({ Bucket: bucket, ...(ctx.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: ctx.region as never } }) }),
      );
    }
    const key = `builds/${zip.key}/${Buffer.from(zip.sha256, 'base64').toString('hex')}.zip`;
    let exists = false;
    try {
      await ctx.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      exists = true;
    } catch {
      exists = false;
    }
    if (!exists) {
      ctx.log?.(`uploading ${mb} MB to s3://${bucket}/${key} (above the 50 MB direct-upload limit)`);
      await ctx.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: readFileSync(zip.path),
          Tagging: `${encodeURIComponent(TAG_RUN)}=${encodeURIComponent(ctx.runId)}&${encodeURIComponent(TAG_CREATED_BY)}=${CREATED_BY}`,
        }),
      );
      created.s3Objects.push({ bucket, key });
    }
    return { S3Bucket: bucket, S3Key: key };
  } catch (error) {
    const where = ctx.kind === 'aws' ? 'S3 refused it' : `${ctx.endpoint} does not serve S3 for it`;
    throw new DeployError(
      `${what} is ${mb} MB zipped, above Lambda's 50 MB direct-upload limit, so it must go through S3, and ${where} (${(error as Error).name}: ${(error as Error).message.split('\n')[0]}). Shrink its dependencies (\`coldbench profile\` shows what is large) or run it with --target aws.`,
      { cause: error },
    );
  }
}

/** Publishes a dependency layer once per build (its name carries the run prefix). */
export async function deployLayer(ctx: DeployContext, name: string, zip: BuiltZip, runtime: string, architecture: string, created: Created): Promise<string> {
  const content = await codeLocation(ctx, zip, created, `layer ${name}`);
  const out = await withRetry(
    () =>
      ctx.lambda.send(
        new PublishLayerVersionCommand({
          LayerName: name,
          Description: layerDescription(ctx.runId),
          Content: content,
          CompatibleRuntimes: [runtime as never],
          CompatibleArchitectures: [architecture as never],
        }),
      ),
    retryOptions(ctx, CONTROL_PLANE_RETRY),
  );
  const version = answered(out.Version, `PublishLayerVersion ${name}`, 'Version');
  created.layers.set(name, [...(created.layers.get(name) ?? []), version]);
  return answered(out.LayerVersionArn, `PublishLayerVersion ${name}`, 'LayerVersionArn');
}

/** The environment a variant runs with: the suite's, plus AWS_ENDPOINT_URL on emulators. */
export function deployEnvironment(ctx: DeployContext, variant: Variant): Record<string, string> {
  return { ...variant.environment, ...(ctx.kind !== 'aws' && ctx.endpoint ? { AWS_ENDPOINT_URL: ctx.endpoint } : {}) };
}

/** Creates the variant's function (or updates it when it exists from an interrupted run) and waits until it is Active. */
export async function deployVariant(
  ctx: DeployContext,
  variant: Variant,
  pkg: BuiltPackage,
  layerArn: string | null,
  roleArn: string,
  created: Created,
  /** The suite's `layers` and the variant's extension layer, after the dependency layer (later layers win, as in /opt) */
  extraLayers: string[] = [],
): Promise<Deployment> {
  const functionName = resourceName(ctx.runId, variant.name);
  const environment = deployEnvironment(ctx, variant);
  const config = {
    FunctionName: functionName,
    Runtime: variant.runtime as never,
    Handler: variant.handler,
    MemorySize: variant.memoryMB,
    Timeout: variant.timeoutS,
    Role: roleArn,
    Architectures: [variant.architecture as never],
    Environment: { Variables: environment },
    Layers: [...(layerArn ? [layerArn] : []), ...extraLayers],
    // Each version published from here on is snapshotted, and its first invokes restore from it.
    ...(variant.snapStart ? { SnapStart: { ApplyOn: 'PublishedVersions' as const } } : {}),
  };
  let existing: FunctionConfiguration | undefined;
  try {
    existing = (await ctx.lambda.send(new GetFunctionCommand({ FunctionName: functionName }))).Configuration;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException')
      throw new DeployError(`deploying ${variant.name}: GetFunction failed: ${(error as Error).message}`, { cause: error });
  }
  try {
    if (!existing) {
      const code = await codeLocation(ctx, pkg.function, created, `the package of ${variant.name}`);
      await withRetry(
        () => ctx.lambda.send(new CreateFunctionCommand({ ...config, Code: code, Tags: tagsFor(ctx.runId), Description: `coldbench variant ${variant.name}` })),
        retryOptions(ctx, ctx.kind === 'aws' ? ROLE_PROPAGATION_RETRY : CONTROL_PLANE_RETRY),
      );
      created.functions.add(functionName);
      await waitUntilFunctionActiveV2(waiterConfig(ctx), { FunctionName: functionName });
    } else {
      created.functions.add(functionName);
      // Same CodeSha256 → the code is already there: no re-upload.
      if (existing.CodeSha256 !== pkg.function.sha256) {
        const code = await codeLocation(ctx, pkg.function, created, `the package of ${variant.name}`);
        await withRetry(() => ctx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: functionName, ...code })), retryOptions(ctx, CONTROL_PLANE_RETRY));
        await waitUntilFunctionUpdatedV2(waiterConfig(ctx), { FunctionName: functionName });
      }
      await withRetry(() => ctx.lambda.send(new UpdateFunctionConfigurationCommand(config)), retryOptions(ctx, CONTROL_PLANE_RETRY));
      await waitUntilFunctionUpdatedV2(waiterConfig(ctx), { FunctionName: functionName });
    }
  } catch (error) {
    throw new DeployError(`deploying ${variant.name} as ${functionName} failed: ${(error as Error).message}`, { cause: error });
  }
  return { variant, functionName, layerArn, environment, bumps: 0, versions: [] };
}
