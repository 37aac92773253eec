/**
 * `--function NAME`: benchmark a function coldbench did not create. Its configuration is
 * snapshotted first and restored exactly afterwards (also after an error or Ctrl-C), and the
 * versions the `version` strategy published are deleted.
 */
import {
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import type { Deployment } from './deploy.ts';
import { waiterConfig } from './deploy.ts';
import { bump } from './drive.ts';
import { RestoreError, TargetError } from './errors.ts';
import type { Plan, Variant } from './plan.ts';
import { CONTROL_PLANE_RETRY, type RetryOptions, retryPolicy, withRetry } from './retry.ts';
import type { ColdStrategy, SuiteEvent } from './suite.ts';
import type { TargetKind } from './target.ts';

/** What coldbench changes on the function, as it was before: restored exactly afterwards. */
export interface OriginalConfig {
  functionName: string;
  memoryMB: number;
  /** null when the function had no environment at all */
  environment: Record<string, string> | null;
}

/** Reads the function's configuration (throws TargetError when it does not exist). */
export async function snapshotFunction(lambda: LambdaClient, functionName: string): Promise<{ config: FunctionConfiguration; original: OriginalConfig }> {
  let config: FunctionConfiguration;
  try {
    config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  } catch (error) {
    throw new TargetError(
      `--function ${functionName}: ${(error as Error).name === 'ResourceNotFoundException' ? 'no such function in this account and region' : (error as Error).message}`,
      { cause: error },
    );
  }
  const variables = config.Environment?.Variables;
  return { config, original: { functionName, memoryMB: config.MemorySize ?? 128, environment: variables ? { ...variables } : null } };
}

/** The plan for an existing function: one variant per memory size, named `<function>@<memory>`. */
export function existingFunctionPlan(
  config: FunctionConfiguration,
  options: { memory?: number[]; cold: number; warm: number; concurrency: number; coldStrategy: ColdStrategy; seed: number; events: SuiteEvent[] },
): Plan {
  const name = config.FunctionName;
  if (!name) throw new TargetError('GetFunctionConfiguration answered without FunctionName; the target does not implement the Lambda API as documented');
  const memories = options.memory ?? [config.MemorySize ?? 128];
  const variants: Variant[] = memories.map((memoryMB) => ({
    name: `${name}@${memoryMB}`,
    function: name,
    base: name,
    memoryMB,
    architecture: (config.Architectures?.[0] ?? 'x86_64') as Variant['architecture'],
    runtime: config.Runtime ?? 'unknown',
    packaging: 'bundled',
    handler: config.Handler ?? '',
    cold: options.cold,
    warm: options.warm,
    timeoutS: config.Timeout ?? 3,
    concurrency: options.concurrency,
    coldStrategy: options.coldStrategy,
    environment: { ...(config.Environment?.Variables ?? {}) },
    events: options.events,
    // A SnapStart function (Java, .NET, Python) restores only published versions: with `version` its samples are restores.
    ...(config.SnapStart?.ApplyOn === 'PublishedVersions' && options.coldStrategy === 'version' ? { snapStart: true } : {}),
  }));
  return { variants, order: variants.map((v) => v.name), seed: options.seed, coldStrategy: options.coldStrategy };
}

/** Points the user's function at a variant's memory size (this retires its warm environments). */
export async function prepareExisting(
  ctx: { kind: TargetKind; lambda: LambdaClient; retry?: Partial<RetryOptions> },
  variant: Variant,
  original: OriginalConfig,
): Promise<Deployment> {
  const dep: Deployment = { variant, functionName: original.functionName, layerArn: null, environment: { ...(original.environment ?? {}) }, bumps: 0, versions: [] };
  await bump(ctx, dep, { MemorySize: variant.memoryMB });
  return dep;
}

/** Restores memory and environment exactly as snapshotted and deletes the published versions. */
export async function restoreFunction(ctx: { kind: TargetKind; lambda: LambdaClient; retry?: Partial<RetryOptions> }, original: OriginalConfig, versions: string[]): Promise<void> {
  // An update in progress is retried here: the SDK retries throttling, not ResourceConflictException.
  const opts = retryPolicy(CONTROL_PLANE_RETRY, ctx.retry);
  try {
    await withRetry(
      () =>
        ctx.lambda.send(
          new UpdateFunctionConfigurationCommand({ FunctionName: original.functionName, MemorySize: original.memoryMB, Environment: { Variables: original.environment ?? {} } }),
        ),
      opts,
    );
    await waitUntilFunctionUpdatedV2(waiterConfig(ctx), { FunctionName: original.functionName });
  } catch (error) {
    throw new RestoreError(
      `could not restore ${original.functionName} (MemorySize ${original.memoryMB}, ${original.environment ? Object.keys(original.environment).length : 0} environment variables): ${(error as Error).message}; set them back by hand: ${JSON.stringify(original)}`,
      { cause: error },
    );
  }
  const failed: string[] = [];
  for (const version of versions) {
    try {
      await withRetry(() => ctx.lambda.send(new DeleteFunctionCommand({ FunctionName: original.functionName, Qualifier: version })), opts);
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') failed.push(version);
    }
  }
  if (failed.length)
    throw new RestoreError(
      `restored ${original.functionName}, but could not delete the versions it published: ${failed.join(', ')}; delete them with \`aws lambda delete-function --function-name ${original.functionName} --qualifier N\``,
    );
}
