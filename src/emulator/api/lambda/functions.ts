import { messageOf } from '../../../errors.ts';
import { randomUUID } from 'node:crypto';
import type { EnvironmentPool, FunctionSpec } from '../../contract.ts';
import type { CodeStore, StoredCode } from '../code-store.ts';
import type { S3Store } from '../s3.ts';
import { AwsError, conflict, invalidParameter, notFound } from '../errors.ts';
import { type Alias, pickVersion } from './aliases.ts';
import type { LayerRegistry } from './layers.ts';
import { readMaxItems } from './layers.ts';
import type { ProvisionedConfig } from './provisioned.ts';
import { applyConfig, type FunctionConfig, lambdaTimestamp, MAX_TAGS, renderConfiguration, type Revision } from './model.ts';
import type { CodeInput, ConfigurationInput, CreateFunctionInput, PublishVersionInput, PutConcurrencyInput, TagResourceInput, UpdateCodeInput } from './requests.ts';

export interface LambdaFunction {
  name: string;
  arn: string;
  /** What GetFunction shows for $LATEST (the newest update, even while it is in progress) */
  latest: Revision;
  /** What $LATEST invokes run: the previous revision until an update completes, as on Lambda */
  effective: Revision;
  effectiveSpec: FunctionSpec;
  state: 'Pending' | 'Active' | 'Failed';
  lastUpdateStatus: 'InProgress' | 'Successful' | 'Failed';
  /** Why the create or the last update failed (the code could not be stored), as StateReason / LastUpdateStatusReason */
  failure?: { reason: string; code: string };
  versions: Map<string, { revision: Revision; spec: FunctionSpec }>;
  nextVersion: number;
  tags: Record<string, string>;
  reservedConcurrency?: number;
  aliases: Map<string, Alias>;
  /** Provisioned concurrency configurations by qualifier (a version number or an alias name) */
  provisioned: Map<string, ProvisionedConfig>;
}

export interface RegistryContext {
  region: string;
  accountId: string;
  pool: () => EnvironmentPool;
  code: CodeStore;
  s3: S3Store;
  layers: LayerRegistry;
  /**
   * Test only: a create or update, once its work is done, also waits for this before it takes effect, so a test can
   * hold State Pending / LastUpdateStatus InProgress for as long as it needs (default: nothing to wait for)
   */
  transitionGate?: () => Promise<void>;
  codeUrl: (code: StoredCode) => string;
  /** How this emulator runs a runtime (CPU mode, local interpreter, SDK), shown in GetFunction as `Coldbench` */
  describeRuntime: (runtime: string) => Record<string, unknown>;
}

const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const QUALIFIED = /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9-_]{1,64})(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
/** Lambda's account default minus the 100 it keeps unreserved. */
const MAX_RESERVED_CONCURRENCY = 900;

/** Lambda's control plane state: functions, their revisions, published versions, tags and reserved concurrency. */
export class FunctionRegistry {
  readonly functions = new Map<string, LambdaFunction>();
  private stopped = false;

  constructor(private readonly ctx: RegistryContext) {}

  /** The environment pool (provisioned concurrency initialises environments through it). */
  get pool(): EnvironmentPool {
    return this.ctx.pool();
  }

  arnOf(name: string): string {
    return `arn:aws:lambda:${this.ctx.region}:${this.ctx.accountId}:function:${name}`;
  }

  /** Splits a name, partial ARN or ARN (each optionally `:qualifier`) into name and qualifier. */
  parseName(raw: string): { name: string; qualifier?: string } {
    if (FUNCTION_NAME.test(raw)) return { name: raw };
    if (/^[a-zA-Z0-9-_]{65,140}$/.test(raw)) {
      throw invalidParameter(`1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`);
    }
    const m = QUALIFIED.exec(raw);
    if (!m || raw.length > 170) {
      throw new AwsError(
        'ValidationException',
        400,
        `1 validation error detected: Value '${raw.slice(0, 200)}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
      );
    }
    return { name: m[3], qualifier: m[4] };
  }

  /** Finds a function or throws Lambda's ResourceNotFoundException naming the ARN. */
  find(raw: string, qualifier?: string | null, missingAsLatest = false): { fn: LambdaFunction; qualifier?: string } {
    const direct = this.functions.get(raw);
    if (direct) return { fn: direct, qualifier: qualifier ?? undefined };
    const parsed = this.parseName(raw);
    const q = qualifier ?? parsed.qualifier;
    if (parsed.qualifier && qualifier && parsed.qualifier !== qualifier) {
      throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    const fn = this.functions.get(parsed.name);
    if (!fn) {
      const shown = q ?? (missingAsLatest ? '$LATEST' : undefined);
      throw notFound(`Function not found: ${this.arnOf(parsed.name)}${shown ? `:${shown}` : ''}`);
    }
    return { fn, qualifier: q };
  }

  /** The revision and spec a qualifier names; unknown versions are ResourceNotFoundException. */
  revisionFor(fn: LambdaFunction, qualifier: string | undefined, forInvoke: boolean): { revision: Revision; spec: FunctionSpec; version: string } {
    if (qualifier === undefined || qualifier === '$LATEST') {
      return forInvoke ? { revision: fn.effective, spec: fn.effectiveSpec, version: '$LATEST' } : { revision: fn.latest, spec: fn.effectiveSpec, version: '$LATEST' };
    }
    const alias = fn.aliases.get(qualifier);
    // An invoke of a weighted alias runs the version its RoutingConfig picks; reads show the alias's FunctionVersion.
    if (alias) return this.revisionFor(fn, forInvoke ? pickVersion(alias) : alias.functionVersion, forInvoke);
    const v = fn.versions.get(qualifier);
    if (!v) throw notFound(`Function not found: ${fn.arn}:${qualifier}`);
    return { revision: v.revision, spec: v.spec, version: qualifier };
  }

  async create(body: CreateFunctionInput): Promise<Record<string, unknown>> {
    const name = this.parseName(body.FunctionName).name;
    if (body.PackageType === 'Image') throw invalidParameter('PackageType Image is not supported by the coldbench emulator; upload a .zip package.');
    const config = applyConfig(name, undefined, body);
    const layers = this.ctx.layers.resolve(config.layers);
    const { code, ready } = await this.codeFrom(body.Code, 'Code');
    if (this.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    const revision = newRevision(config, code, layers, ready);
    const fn: LambdaFunction = {
      name,
      arn: this.arnOf(name),
      latest: revision,
      effective: revision,
      effectiveSpec: this.spec(name, '$LATEST', revision),
      state: 'Pending',
      lastUpdateStatus: 'Successful',
      versions: new Map(),
      nextVersion: 1,
      tags: body.Tags ? readTags(body.Tags) : {},
      aliases: new Map(),
      provisioned: new Map(),
    };
    this.functions.set(name, fn);
    this.settleWhenReady(fn, revision);
    if (body.Publish === true) {
      // AWS answers with the $LATEST state (Pending, unqualified ARN) and the number of the version being published.
      const { version } = this.publish(fn);
      return { ...this.configuration(fn, '$LATEST', true), Version: version };
    }
    return this.configuration(fn, '$LATEST', true);
  }

  async updateCode(raw: string, body: UpdateCodeInput): Promise<Record<string, unknown>> {
    const { fn } = this.find(raw);
    this.checkRevision(fn, body.RevisionId);
    const { code, ready } = await this.codeFrom(body, 'UpdateFunctionCode');
    this.checkNotBusy(fn);
    let config = fn.latest.config;
    if (body.Architectures !== undefined) config = applyConfig(fn.name, config, { Architectures: body.Architectures });
    this.beginUpdate(fn, newRevision(config, code, fn.latest.layers, ready));
    if (body.Publish === true) return this.configuration(fn, this.publish(fn).version);
    return this.configuration(fn, '$LATEST');
  }

  updateConfiguration(raw: string, body: ConfigurationInput): Record<string, unknown> {
    const { fn } = this.find(raw);
    this.checkRevision(fn, body.RevisionId);
    const config = applyConfig(fn.name, fn.latest.config, body);
    const layers = body.Layers !== undefined ? this.ctx.layers.resolve(config.layers) : fn.latest.layers;
    this.checkNotBusy(fn);
    this.beginUpdate(fn, newRevision(config, fn.latest.code, layers, fn.latest.ready));
    return this.configuration(fn, '$LATEST');
  }

  async delete(raw: string, qualifier: string | null): Promise<void> {
    const named = this.parseName(raw).qualifier;
    if (named && qualifier && named !== qualifier) throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    if ((qualifier ?? named) === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    const { fn, qualifier: q } = this.find(raw, qualifier);
    if (q !== undefined && q !== '$LATEST') {
      const users = [...fn.aliases.values()].filter((a) => a.functionVersion === q).map((a) => a.name);
      if (users.length) throw conflict(`Unable to delete version because the following aliases reference it: [${users.join(', ')}]`);
      if (!fn.versions.delete(q)) throw notFound(`Function not found: ${fn.arn}:${q}`);
      await this.ctx.pool().retire(fn.name, q);
      return;
    }
    if (q === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    this.functions.delete(fn.name);
    await this.ctx.pool().retire(fn.name);
  }

  publishVersion(raw: string, body: PublishVersionInput): Record<string, unknown> {
    const { fn } = this.find(raw);
    if (body.CodeSha256 !== undefined && body.CodeSha256 !== fn.latest.code.codeSha256) {
      throw invalidParameter(
        `CodeSHA256 (${body.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.code.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    this.checkRevision(fn, body.RevisionId);
    if (fn.state === 'Pending' || fn.lastUpdateStatus === 'InProgress') this.checkNotBusy(fn);
    const { version } = this.publish(fn, body.Description);
    return this.configuration(fn, version);
  }

  listVersions(raw: string, query: URLSearchParams): Record<string, unknown> {
    const { fn } = this.find(raw);
    const all = ['$LATEST', ...fn.versions.keys()];
    return paginate(
      all,
      query,
      (v) => v,
      (v) => this.configuration(fn, v, false, true),
      'Versions',
    );
  }

  list(query: URLSearchParams): Record<string, unknown> {
    const functionVersion = query.get('FunctionVersion');
    if (functionVersion !== null && functionVersion !== 'ALL') {
      throw new AwsError(
        'ValidationException',
        400,
        `1 validation error detected: Value '${functionVersion}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`,
      );
    }
    const allVersions = functionVersion === 'ALL';
    const all = [...this.functions]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([name, fn]) => (allVersions ? ['$LATEST', ...fn.versions.keys()] : ['$LATEST']).map((version) => ({ key: `${name}:${version}`, fn, version })));
    return paginate(
      all,
      query,
      (row) => row.key,
      (row) => this.configuration(row.fn, row.version, false, allVersions),
      'Functions',
    );
  }

  /**
   * A version's FunctionConfiguration. `created` is CreateFunction's answer (no LastUpdateStatus yet); `listEntry` the
   * shape of list entries, with `$LATEST` qualified when `qualifyLatest` (ListFunctions ALL, ListVersionsByFunction).
   */
  configuration(fn: LambdaFunction, version: string, created = false, qualifyLatest?: boolean): Record<string, unknown> {
    const listEntry = qualifyLatest !== undefined;
    if (version !== '$LATEST') {
      const v = fn.versions.get(version);
      if (!v) throw notFound(`Function not found: ${fn.arn}:${version}`);
      return renderConfiguration({
        name: fn.name,
        arn: fn.arn,
        version,
        revision: v.revision,
        state: 'Active',
        lastUpdateStatus: 'Successful',
        listEntry,
        runtimeVersionArn: this.runtimeVersionArn(v.revision),
      });
    }
    const pending = fn.state === 'Pending';
    const inProgress = fn.lastUpdateStatus === 'InProgress';
    const creating = { reason: 'The function is being created.', code: 'Creating' };
    const stateReason = pending ? creating : fn.state === 'Failed' ? fn.failure : undefined;
    const updateReason = inProgress ? creating : fn.lastUpdateStatus === 'Failed' ? fn.failure : undefined;
    return renderConfiguration({
      name: fn.name,
      arn: fn.arn,
      version,
      revision: fn.latest,
      state: fn.state,
      ...(stateReason ? { stateReason: stateReason.reason, stateReasonCode: stateReason.code } : {}),
      ...(created ? {} : { lastUpdateStatus: fn.lastUpdateStatus }),
      ...(updateReason && !created ? { lastUpdateStatusReason: updateReason.reason, lastUpdateStatusReasonCode: updateReason.code } : {}),
      listEntry,
      qualifyLatest,
      runtimeVersionArn: this.runtimeVersionArn(fn.latest),
    });
  }

  /** The same runtime version ARN the environment's INIT_START line prints (it depends on the local interpreter). */
  private runtimeVersionArn(revision: Revision): string {
    return this.ctx.pool().runtimeVersionArn(revision.config.runtime, this.ctx.region);
  }

  getFunction(raw: string, qualifier: string | null): Record<string, unknown> {
    const { fn, qualifier: q } = this.find(raw, qualifier);
    const { revision, version } = this.revisionFor(fn, q, false);
    return {
      Configuration: this.configuration(fn, version),
      Code: { RepositoryType: 'S3', Location: this.ctx.codeUrl(revision.code) },
      ...(Object.keys(fn.tags).length ? { Tags: fn.tags } : {}),
      ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
      // Not an AWS field: SDKs ignore it; raw HTTP readers learn whether CPU is throttled and what runs the runtime.
      Coldbench: this.ctx.describeRuntime(revision.config.runtime),
    };
  }

  putConcurrency(raw: string, body: PutConcurrencyInput): Record<string, unknown> {
    if (this.parseName(raw).qualifier !== undefined) {
      throw invalidParameter(
        'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.',
      );
    }
    const { fn } = this.find(raw, undefined, true);
    const n = body.ReservedConcurrentExecutions;
    if (n > MAX_RESERVED_CONCURRENCY) {
      throw invalidParameter(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].`);
    }
    fn.reservedConcurrency = n;
    return { ReservedConcurrentExecutions: n };
  }

  getConcurrency(raw: string): Record<string, unknown> {
    const { fn } = this.find(raw);
    return fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }

  deleteConcurrency(raw: string): void {
    this.find(raw).fn.reservedConcurrency = undefined;
  }

  /** Tag operations name the function by its ARN. */
  tagTarget(resource: string): LambdaFunction {
    if (/^arn:aws[a-zA-Z-]*:lambda:[^:]+:\d{12}:function:[a-zA-Z0-9-_]+:(\$LATEST|[a-zA-Z0-9-_]+)$/.test(resource)) {
      throw invalidParameter('Tags on function aliases and versions are not supported. Please specify a function ARN.');
    }
    const m = /^arn:aws[a-zA-Z-]*:lambda:[^:]+:\d{12}:function:([a-zA-Z0-9-_]+)$/.exec(resource);
    if (!m) throw invalidParameter(`${resource} is not a valid function ARN: tag operations take an unqualified function ARN.`);
    const fn = this.functions.get(m[1]);
    if (!fn) throw notFound(`Function not found: ${resource}`);
    return fn;
  }

  tag(resource: string, body: TagResourceInput): void {
    const fn = this.tagTarget(resource);
    const tags = readTags(body.Tags);
    const merged = { ...fn.tags, ...tags };
    if (Object.keys(merged).length > MAX_TAGS) throw invalidParameter(`A function can have at most ${MAX_TAGS} tags.`);
    fn.tags = merged;
  }

  untag(resource: string, keys: string[]): void {
    const fn = this.tagTarget(resource);
    for (const key of keys) delete fn.tags[key];
  }

  /** Stops pending state transitions (emulator shutdown). */
  stopTransitions(): void {
    this.stopped = true;
  }

  private publish(fn: LambdaFunction, description?: string): { version: string } {
    // Lambda returns the newest version instead of a new one when nothing changed since.
    const newest = [...fn.versions.values()].at(-1);
    if (newest && newest.revision.code.codeSha256 === fn.latest.code.codeSha256 && newest.revision.revisionId === fn.latest.revisionId) {
      return { version: newest.spec.version };
    }
    const version = String(fn.nextVersion++);
    const revision: Revision = description === undefined ? fn.latest : { ...fn.latest, config: { ...fn.latest.config, description } };
    fn.versions.set(version, { revision, spec: this.spec(fn.name, version, revision) });
    return { version };
  }

  private beginUpdate(fn: LambdaFunction, revision: Revision): void {
    fn.latest = revision;
    fn.lastUpdateStatus = 'InProgress';
    fn.failure = undefined;
    this.settleWhenReady(fn, revision);
  }

  /**
   * Pending / InProgress last as long as the work does: the revision takes effect once its code is stored and
   * extracted (at once when it is already there, as for a configuration update), or fails if the code cannot be.
   */
  private settleWhenReady(fn: LambdaFunction, revision: Revision): void {
    const gate = this.ctx.transitionGate;
    revision.ready
      .then(() => gate?.())
      .then(
        () => {
          if (!this.stopped && fn.latest === revision) this.settle(fn);
        },
        (error: unknown) => {
          if (!this.stopped && fn.latest === revision) this.fail(fn, error);
        },
      );
  }

  /** The code could not be stored: a create ends Failed, an update LastUpdateStatus Failed (invokes keep the previous revision). */
  private fail(fn: LambdaFunction, error: unknown): void {
    const message = messageOf(error);
    fn.failure =
      error instanceof AwsError && error.code === 'InvalidParameterValueException'
        ? { reason: message, code: 'InvalidZipFileException' }
        : { reason: message, code: 'InternalError' };
    if (fn.state === 'Pending') fn.state = 'Failed';
    else fn.lastUpdateStatus = 'Failed';
  }

  /** The update takes effect: new invokes get the new revision in fresh environments. */
  private settle(fn: LambdaFunction): void {
    fn.state = 'Active';
    const changed = fn.effective !== fn.latest;
    fn.effective = fn.latest;
    fn.effectiveSpec = this.spec(fn.name, '$LATEST', fn.latest);
    fn.lastUpdateStatus = 'Successful';
    if (changed && this.functions.get(fn.name) === fn)
      void this.ctx
        .pool()
        .retire(fn.name, '$LATEST')
        .catch(() => undefined);
  }

  private checkNotBusy(fn: LambdaFunction): void {
    if (fn.state === 'Pending' || fn.lastUpdateStatus === 'InProgress') {
      throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`);
    }
  }

  private checkRevision(fn: LambdaFunction, revisionId: string | undefined): void {
    if (revisionId !== undefined && revisionId !== fn.latest.revisionId) {
      throw new AwsError(
        'PreconditionFailedException',
        412,
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
    }
  }

  /** Validates the package and starts storing it; `ready` settles when it is extracted (the work Pending / InProgress waits for). */
  private async codeFrom(code: CodeInput, field: string): Promise<{ code: StoredCode; ready: Promise<unknown> }> {
    if (code.ZipFile !== undefined) {
      const zip = Buffer.from(code.ZipFile, 'base64');
      return this.ctx.code.accept(zip);
    }
    if (code.S3Bucket !== undefined || code.S3Key !== undefined) {
      if (code.S3Bucket === undefined || code.S3Key === undefined) throw invalidParameter(`${field}: S3Bucket and S3Key are both required for code from S3.`);
      return this.ctx.code.accept(await this.ctx.s3.read(code.S3Bucket, code.S3Key));
    }
    if (code.ImageUri !== undefined) throw invalidParameter('Container images are not supported by the coldbench emulator; upload a .zip package.');
    throw invalidParameter(`${field}: ZipFile is required (the base64 of a .zip package).`);
  }

  private spec(name: string, version: string, r: Revision): FunctionSpec {
    const c = r.config;
    return {
      functionName: name,
      functionArn: version === '$LATEST' ? this.arnOf(name) : `${this.arnOf(name)}:${version}`,
      version,
      runtime: c.runtime,
      handler: c.handler,
      memoryMB: c.memoryMB,
      timeoutS: c.timeoutS,
      environment: c.environment ?? {},
      codeDir: r.code.dir,
      layerDirs: r.layers.map((l) => l.dir),
      logFormat: c.logFormat,
      architecture: c.architecture,
      logGroupName: c.logGroup,
      region: this.ctx.region,
      accountId: this.ctx.accountId,
      revisionId: r.revisionId,
      codeSha256: r.code.codeSha256,
    };
  }
}

function newRevision(config: FunctionConfig, code: StoredCode, layers: Revision['layers'], ready: Promise<unknown>): Revision {
  return { config, code, layers, ready, revisionId: randomUUID(), lastModified: lambdaTimestamp() };
}

function readTags(raw: Record<string, string>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.length === 0 || k.length > 128 || v.length > 256 || k.startsWith('aws:')) {
      throw invalidParameter(`Tag ${JSON.stringify(k)} is not valid: keys are 1–128 characters and may not start with aws:, values are strings of at most 256 characters.`);
    }
    tags[k] = v;
  }
  if (Object.keys(tags).length > MAX_TAGS) throw invalidParameter(`A function can have at most ${MAX_TAGS} tags.`);
  return tags;
}

/** Marker/NextMarker paging over a stable ordering: the marker is the key of the next item. */
function paginate<T>(all: T[], query: URLSearchParams, key: (t: T) => string, render: (t: T) => unknown, field: string): Record<string, unknown> {
  const maxItems = readMaxItems(query);
  const marker = query.get('Marker');
  let start = 0;
  if (marker) {
    start = all.findIndex((t) => key(t) === Buffer.from(marker, 'base64url').toString('utf8'));
    if (start < 0) throw invalidParameter('The Marker is invalid: pass the NextMarker of the previous page.');
  }
  const page = all.slice(start, start + maxItems);
  const next = all[start + maxItems];
  return { [field]: page.map(render), ...(next !== undefined ? { NextMarker: Buffer.from(key(next)).toString('base64url') } : {}) };
}
