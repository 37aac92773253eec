/**
 * Provisioned concurrency: Put / Get / Delete / ListProvisionedConcurrencyConfigs on a published version or an alias,
 * never $LATEST. A Put answers IN_PROGRESS at once and initialises the environments ahead (the pool's provision(),
 * with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency); the status turns READY when all have initialised, or
 * FAILED when one could not. Messages and shapes as recorded from AWS (LocalStack's test_lambda_api snapshots).
 */
import type { FunctionSpec } from '../../contract.ts';
import { AwsError, conflict, invalidParameter, notFound } from '../errors.ts';
import type { FunctionRegistry, LambdaFunction } from './functions.ts';
import { readMaxItems } from './layers.ts';
import { lambdaTimestamp } from './model.ts';
import type { PutProvisionedConcurrencyInput } from './requests.ts';

/** Lambda's default account concurrency and the part of it that must stay unreserved. */
const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED = 100;

export type ProvisionedStatus = 'IN_PROGRESS' | 'READY' | 'FAILED';

/** One qualifier's configuration and where its environments are. */
export interface ProvisionedConfig {
  requested: number;
  allocated: number;
  status: ProvisionedStatus;
  statusReason?: string;
  lastModified: string;
  /** The version whose environments serve it (an alias's FunctionVersion when it was put) */
  version: string;
}

const VERSION = /^\d+$/;

export class ProvisionedOperations {
  constructor(private readonly functions: FunctionRegistry) {}

  async put(raw: string, qualifier: string | null, body: PutProvisionedConcurrencyInput): Promise<Record<string, unknown>> {
    const q = requireQualifier(qualifier);
    if (q === '$LATEST') throw invalidParameter('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    const { fn, name } = this.target(raw, q);
    const requested = body.ProvisionedConcurrentExecutions;
    const others = [...fn.provisioned].filter(([k]) => k !== q).reduce((sum, [, c]) => sum + c.requested, 0);
    if (fn.reservedConcurrency !== undefined && fn.reservedConcurrency < others + requested) {
      throw invalidParameter('Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function');
    }
    if (requested > ACCOUNT_CONCURRENCY) {
      throw invalidParameter(`Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${ACCOUNT_CONCURRENCY}].`);
    }
    if (this.unreserved() - requested < MIN_UNRESERVED) {
      throw invalidParameter(`Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`);
    }
    const alias = fn.aliases.get(q);
    const version = alias ? alias.functionVersion : q;
    if (alias && fn.provisioned.has(version)) throw conflict("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");
    if (!alias && [...fn.aliases.values()].some((a) => a.functionVersion === q && fn.provisioned.has(a.name))) {
      throw conflict('Version is pointed by a Provisioned Concurrency alias');
    }
    // An alias on $LATEST names no published version either.
    const spec = fn.versions.get(version)?.spec;
    if (!spec) throw invalidParameter('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    const previous = fn.provisioned.get(q);
    const config: ProvisionedConfig = { requested, allocated: 0, status: 'IN_PROGRESS', lastModified: lambdaTimestamp(), version };
    fn.provisioned.set(q, config);
    void this.allocate(name, fn, q, config, previous, spec);
    return {
      RequestedProvisionedConcurrentExecutions: requested,
      AllocatedProvisionedConcurrentExecutions: 0,
      AvailableProvisionedConcurrentExecutions: 0,
      Status: 'IN_PROGRESS',
      LastModified: config.lastModified,
    };
  }

  get(raw: string, qualifier: string | null): Record<string, unknown> {
    const q = requireQualifier(qualifier);
    if (q === '$LATEST') throw invalidParameter('The function resource provided must be an alias or a published version.');
    const { fn } = this.target(raw, q);
    const config = fn.provisioned.get(q);
    if (!config) throw new AwsError('ProvisionedConcurrencyConfigNotFoundException', 404, 'No Provisioned Concurrency Config found for this function');
    return render(config);
  }

  async delete(raw: string, qualifier: string | null): Promise<void> {
    const q = requireQualifier(qualifier);
    if (q === '$LATEST') throw invalidParameter('The function resource provided must be an alias or a published version.');
    const { fn } = this.target(raw, q);
    // Idempotent, as on Lambda: deleting a configuration that is not there succeeds.
    await this.forget(fn, q);
  }

  list(raw: string, query: URLSearchParams): Record<string, unknown> {
    const { name, qualifier } = this.functions.parseName(raw);
    const fn = this.functions.functions.get(name);
    if (!fn || qualifier !== undefined) throw notFound(`Function not found: ${this.functions.arnOf(name)}${qualifier ? `:${qualifier}` : ''}`);
    const all = [...fn.provisioned.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const maxItems = readMaxItems(query);
    const marker = query.get('Marker');
    const start = marker ? all.findIndex(([q]) => q === marker) : 0;
    if (start < 0) throw invalidParameter('The Marker is invalid: pass the NextMarker of the previous page.');
    const next = all[start + maxItems];
    return {
      ProvisionedConcurrencyConfigs: all.slice(start, start + maxItems).map(([q, c]) => ({ FunctionArn: `${fn.arn}:${q}`, ...render(c) })),
      ...(next ? { NextMarker: next[0] } : {}),
    };
  }

  /** Drops a qualifier's configuration and retires its environments (Delete, or its alias or version deleted). */
  async forget(fn: LambdaFunction, qualifier: string): Promise<void> {
    const config = fn.provisioned.get(qualifier);
    if (!config) return;
    fn.provisioned.delete(qualifier);
    await this.functions.pool.unprovision(fn.name, config.version);
  }

  /**
   * Replaces any earlier environments of this qualifier with `config.requested` new ones, then READY or FAILED.
   * A newer Put (which replaces the map entry) or a Delete (which removes it) makes the outcome change nothing.
   */
  private async allocate(
    name: string,
    fn: LambdaFunction,
    qualifier: string,
    config: ProvisionedConfig,
    previous: ProvisionedConfig | undefined,
    spec: FunctionSpec,
  ): Promise<void> {
    const pool = this.functions.pool;
    if (previous) await pool.unprovision(name, previous.version).catch(() => undefined);
    let outcome: { ready: number; errorType?: string };
    let refused: string | null = null;
    try {
      outcome = await pool.provision(spec, config.requested);
    } catch (error) {
      outcome = { ready: 0 };
      refused = (error as Error).message;
    }
    if (fn.provisioned.get(qualifier) !== config) return;
    config.allocated = outcome.ready;
    if (outcome.ready === config.requested) {
      config.status = 'READY';
      return;
    }
    config.status = 'FAILED';
    config.statusReason =
      refused !== null
        ? `The emulator could not start ${config.requested} environments: ${refused}`
        : `Init failed in ${config.requested - outcome.ready} of ${config.requested} environments (${outcome.errorType ?? 'unknown error'}); see the function's log group for the INIT_REPORT.`;
  }

  /** The function and a qualifier that exists, with AWS's 404 wording for an alias and for a version. */
  private target(raw: string, q: string): { fn: LambdaFunction; name: string } {
    const parsed = this.functions.parseName(raw);
    if (parsed.qualifier !== undefined && parsed.qualifier !== q) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const fn = this.functions.functions.get(parsed.name);
    const arn = `${this.functions.arnOf(parsed.name)}:${q}`;
    if (VERSION.test(q)) {
      if (!fn?.versions.has(q)) throw notFound(`Function not found: ${arn}`);
    } else if (!fn?.aliases.has(q)) {
      throw notFound(`Cannot find alias arn: ${arn}`);
    }
    return { fn, name: parsed.name };
  }

  private unreserved(): number {
    let reserved = 0;
    for (const f of this.functions.functions.values()) reserved += f.reservedConcurrency ?? 0;
    return ACCOUNT_CONCURRENCY - reserved;
  }
}

function requireQualifier(qualifier: string | null): string {
  if (qualifier === null || qualifier === '') {
    throw new AwsError('ValidationException', 400, "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null");
  }
  return qualifier;
}

function render(c: ProvisionedConfig): Record<string, unknown> {
  // Environments count as allocated and available once their provisioning finished.
  const allocated = c.status === 'IN_PROGRESS' ? 0 : c.allocated;
  return {
    RequestedProvisionedConcurrentExecutions: c.requested,
    AvailableProvisionedConcurrentExecutions: allocated,
    AllocatedProvisionedConcurrentExecutions: allocated,
    Status: c.status,
    ...(c.statusReason ? { StatusReason: c.statusReason } : {}),
    LastModified: c.lastModified,
  };
}
