import { createHash, randomUUID } from 'node:crypto';
import { AwsError, conflict, invalidParameter, notFound } from '../errors.ts';
import type { FunctionRegistry, LambdaFunction } from './functions.ts';
import { readMaxItems } from './layers.ts';
import type { CreateAliasInput, UpdateAliasInput } from './requests.ts';

export interface Alias {
  name: string;
  functionVersion: string;
  description: string;
  revisionId: string;
  /** RoutingConfig.AdditionalVersionWeights: another version and the share of invokes it gets */
  weights?: Record<string, number>;
  /** The alias's own pick stream: each invoke of a weighted alias draws one number from it */
  random: () => number;
}

/**
 * A seeded stream of numbers in [0, 1) (mulberry32) per function and alias, so a weighted alias picks the same version
 * sequence for the same seed however other aliases are invoked in between.
 */
function routingStream(seed: number, functionName: string, aliasName: string): () => number {
  let state = createHash('sha256').update(`${seed}:${functionName}:${aliasName}`).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The version a weighted alias runs for one invoke: the additional version with its weight's probability, else FunctionVersion. */
export function pickVersion(alias: Alias): string {
  if (!alias.weights) return alias.functionVersion;
  const draw = alias.random();
  let edge = 0;
  for (const [version, weight] of Object.entries(alias.weights)) {
    edge += weight;
    if (draw < edge) return version;
  }
  return alias.functionVersion;
}

/** Lambda aliases: a name that points at a published version (or $LATEST) and can be used as a Qualifier. */
export class AliasOperations {
  constructor(
    private readonly functions: FunctionRegistry,
    /** Seeds each alias's pick stream (EmulatorOptions.routingSeed) */
    private readonly routingSeed: number,
  ) {}

  create(raw: string, body: CreateAliasInput): Record<string, unknown> {
    const { fn } = this.functions.find(raw);
    const name = body.Name;
    if (fn.aliases.has(name)) throw conflict(`Alias already exists: ${fn.arn}:${name}`);
    const functionVersion = this.version(fn, body.FunctionVersion);
    const alias: Alias = {
      name,
      functionVersion,
      description: body.Description ?? '',
      revisionId: randomUUID(),
      random: routingStream(this.routingSeed, fn.name, name),
    };
    alias.weights = this.routing(fn, body.RoutingConfig, functionVersion);
    fn.aliases.set(name, alias);
    return render(fn, alias);
  }

  get(raw: string, name: string): Record<string, unknown> {
    const { fn } = this.functions.find(raw);
    return render(fn, this.find(fn, name));
  }

  update(raw: string, name: string, body: UpdateAliasInput): Record<string, unknown> {
    const { fn } = this.functions.find(raw);
    const alias = this.find(fn, name);
    if (body.RevisionId !== undefined && body.RevisionId !== alias.revisionId) {
      throw new AwsError(
        'PreconditionFailedException',
        412,
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
    }
    const functionVersion = body.FunctionVersion !== undefined ? this.version(fn, body.FunctionVersion) : alias.functionVersion;
    const weights = body.RoutingConfig !== undefined ? this.routing(fn, body.RoutingConfig, functionVersion) : alias.weights;
    if (body.RoutingConfig === undefined && weights && functionVersion in weights) {
      throw invalidParameter(`Invalid function version ${functionVersion}. Function version ${functionVersion} is already included in routing configuration.`);
    }
    alias.functionVersion = functionVersion;
    alias.weights = weights;
    if (body.Description !== undefined) alias.description = body.Description;
    alias.revisionId = randomUUID();
    return render(fn, alias);
  }

  delete(raw: string, name: string): void {
    const { fn } = this.functions.find(raw);
    fn.aliases.delete(name);
  }

  list(raw: string, query: URLSearchParams): Record<string, unknown> {
    const { fn } = this.functions.find(raw);
    const version = query.get('FunctionVersion');
    const all = [...fn.aliases.values()].filter((a) => !version || a.functionVersion === version).sort((a, b) => (a.name < b.name ? -1 : 1));
    const maxItems = readMaxItems(query);
    const marker = query.get('Marker');
    const start = marker ? all.findIndex((a) => a.name === marker) : 0;
    if (start < 0) throw invalidParameter('The Marker is invalid: pass the NextMarker of the previous page.');
    const next = all[start + maxItems];
    return { Aliases: all.slice(start, start + maxItems).map((a) => render(fn, a)), ...(next ? { NextMarker: next.name } : {}) };
  }

  private find(fn: LambdaFunction, name: string): Alias {
    const alias = fn.aliases.get(name);
    if (!alias) throw notFound(`Alias not found: ${fn.arn}:${name}`);
    return alias;
  }

  /** Validates RoutingConfig as Lambda does: schema first (ValidationException), then at most one other published version. */
  private routing(fn: LambdaFunction, raw: CreateAliasInput['RoutingConfig'], functionVersion: string): Record<string, number> | undefined {
    const map = raw?.AdditionalVersionWeights;
    if (map === null || map === undefined) return undefined;
    const entries = Object.entries(map);
    if (entries.length === 0) return undefined;
    const shown = `{${entries.map(([k, v]) => `${k}=${typeof v === 'number' && Number.isInteger(v) ? v.toFixed(1) : String(v)}`).join(', ')}}`;
    const field = 'routingConfig.additionalVersionWeights';
    if (entries.some(([k]) => !/^[0-9]{1,1024}$/.test(k))) {
      throw new AwsError(
        'ValidationException',
        400,
        `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]`,
      );
    }
    if (entries.some(([, v]) => typeof v !== 'number' || v < 0 || v > 1)) {
      throw new AwsError(
        'ValidationException',
        400,
        `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`,
      );
    }
    if (entries.length > 1) throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
    const [version] = entries[0];
    if (version === functionVersion) {
      throw invalidParameter(`Invalid function version ${version}. Function version ${version} is already included in routing configuration.`);
    }
    if (!fn.versions.has(version)) throw notFound(`Function not found: ${fn.arn}:${version}`);
    if (functionVersion === '$LATEST') throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    return Object.fromEntries(entries) as Record<string, number>;
  }

  private version(fn: LambdaFunction, raw: string): string {
    if (raw !== '$LATEST' && !fn.versions.has(raw)) throw notFound(`Function not found: ${fn.arn}:${raw}`);
    return raw;
  }
}

function render(fn: LambdaFunction, a: Alias): Record<string, unknown> {
  return {
    AliasArn: `${fn.arn}:${a.name}`,
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
    ...(a.weights ? { RoutingConfig: { AdditionalVersionWeights: a.weights } } : {}),
  };
}
