import type { CodeStore, StoredCode } from '../code-store.ts';
import { AwsError, invalidParameter, notFound } from '../errors.ts';
import { lambdaTimestamp, type ResolvedLayer } from './model.ts';
import type { PublishLayerInput } from './requests.ts';

interface LayerVersion {
  version: number;
  description: string;
  createdDate: string;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
  code: StoredCode;
}

interface Layer {
  nextVersion: number;
  versions: Map<number, LayerVersion>;
}

const LAYER_NAME = /^[a-zA-Z0-9-_]{1,140}$/;
const LAYER_ARN = /^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:([a-zA-Z0-9-_]+)(?::(\d+))?$/;

/** Published layer versions. Deleting a version keeps its files for functions that still use it, as Lambda does. */
export class LayerRegistry {
  private readonly layers = new Map<string, Layer>();

  constructor(
    private readonly code: CodeStore,
    private readonly ctx: { region: string; accountId: string; codeUrl: (code: StoredCode) => string },
  ) {}

  layerArn(name: string): string {
    return `arn:aws:lambda:${this.ctx.region}:${this.ctx.accountId}:layer:${name}`;
  }

  /** Accepts a name or a layer ARN, as the API does. */
  private layerName(raw: string): string {
    const arn = LAYER_ARN.exec(raw);
    const name = arn ? arn[1] : raw;
    if (!LAYER_NAME.test(name)) {
      throw new AwsError(
        'ValidationException',
        400,
        `1 validation error detected: Value '${raw}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+`,
      );
    }
    return name;
  }

  async publish(rawName: string, body: PublishLayerInput, zip: Uint8Array): Promise<Record<string, unknown>> {
    const name = this.layerName(rawName);
    const stored = await this.code.put(zip);
    const layer = this.layers.get(name) ?? { nextVersion: 1, versions: new Map() };
    this.layers.set(name, layer);
    const version: LayerVersion = {
      version: layer.nextVersion++,
      description: body.Description ?? '',
      createdDate: lambdaTimestamp(),
      compatibleRuntimes: body.CompatibleRuntimes,
      compatibleArchitectures: body.CompatibleArchitectures,
      licenseInfo: body.LicenseInfo,
      code: stored,
    };
    layer.versions.set(version.version, version);
    return this.render(name, version, true);
  }

  get(rawName: string, rawVersion: string): Record<string, unknown> {
    const name = this.layerName(rawName);
    return this.render(name, this.find(name, rawVersion), true);
  }

  delete(rawName: string, rawVersion: string): void {
    const name = this.layerName(rawName);
    checkLayerVersion(rawVersion);
    this.layers.get(name)?.versions.delete(Number(rawVersion));
  }

  list(rawName: string, query: URLSearchParams): Record<string, unknown> {
    const name = this.layerName(rawName);
    const runtime = query.get('CompatibleRuntime');
    const arch = query.get('CompatibleArchitecture');
    const all = [...(this.layers.get(name)?.versions.values() ?? [])]
      .filter((v) => (!runtime || v.compatibleRuntimes?.includes(runtime)) && (!arch || v.compatibleArchitectures?.includes(arch)))
      .sort((a, b) => b.version - a.version);
    const maxItems = readMaxItems(query);
    const start = query.get('Marker') ? all.findIndex((v) => String(v.version) === query.get('Marker')) : 0;
    if (start < 0) throw invalidParameter('The Marker is invalid: pass the NextMarker of the previous page.');
    const page = all.slice(start, start + maxItems);
    const next = all[start + maxItems];
    return {
      LayerVersions: page.map((v) => this.render(name, v, false)),
      ...(next ? { NextMarker: String(next.version) } : {}),
    };
  }

  /** ListLayers: each layer with its newest version matching the filters, sorted by name. */
  listLayers(query: URLSearchParams): Record<string, unknown> {
    const runtime = query.get('CompatibleRuntime');
    const arch = query.get('CompatibleArchitecture');
    const rows: Record<string, unknown>[] = [];
    for (const [name, layer] of [...this.layers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const newest = [...layer.versions.values()]
        .filter((v) => (!runtime || v.compatibleRuntimes?.includes(runtime)) && (!arch || v.compatibleArchitectures?.includes(arch)))
        .sort((a, b) => b.version - a.version)[0];
      if (newest) rows.push({ LayerName: name, LayerArn: this.layerArn(name), LatestMatchingVersion: this.render(name, newest, false) });
    }
    const maxItems = readMaxItems(query);
    const marker = query.get('Marker');
    const start = marker ? rows.findIndex((r) => r.LayerName === marker) : 0;
    if (start < 0) throw invalidParameter('The Marker is invalid: pass the NextMarker of the previous page.');
    const next = rows[start + maxItems];
    return { Layers: rows.slice(start, start + maxItems), ...(next ? { NextMarker: next.LayerName } : {}) };
  }

  /** GetLayerVersionByArn (GET /2018-10-31/layers?find=LayerVersion&Arn=…). */
  getByArn(arn: string | null): Record<string, unknown> {
    const m = arn ? LAYER_ARN.exec(arn) : null;
    if (!m || m[2] === undefined) throw invalidParameter(`Arn ${String(arn)} is not a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>).`);
    return this.get(m[1], m[2]);
  }

  /** Turns a function's Layers list into extracted folders; an unknown version is Lambda's InvalidParameterValueException. */
  resolve(arns: string[]): ResolvedLayer[] {
    return arns.map((arn) => {
      const m = LAYER_ARN.exec(arn);
      if (!m || m[2] === undefined) throw invalidParameter(`Layer version ARN ${arn} is not valid: expected arn:aws:lambda:<region>:<account>:layer:<name>:<version>.`);
      const version = this.layers.get(m[1])?.versions.get(Number(m[2]));
      if (!version) throw invalidParameter(`Layer version ${arn} does not exist.`);
      return { arn, codeSize: version.code.codeSize, dir: version.code.dir };
    });
  }

  private find(name: string, rawVersion: string): LayerVersion {
    checkLayerVersion(rawVersion);
    const version = this.layers.get(name)?.versions.get(Number(rawVersion));
    if (!version) throw notFound('The resource you requested does not exist.');
    return version;
  }

  private render(name: string, v: LayerVersion, withContent: boolean): Record<string, unknown> {
    return {
      ...(withContent ? { Content: { Location: this.ctx.codeUrl(v.code), CodeSha256: v.code.codeSha256, CodeSize: v.code.codeSize }, LayerArn: this.layerArn(name) } : {}),
      LayerVersionArn: `${this.layerArn(name)}:${v.version}`,
      Version: v.version,
      Description: v.description,
      CreatedDate: v.createdDate,
      ...(v.compatibleRuntimes ? { CompatibleRuntimes: v.compatibleRuntimes } : {}),
      ...(v.compatibleArchitectures ? { CompatibleArchitectures: v.compatibleArchitectures } : {}),
      ...(v.licenseInfo ? { LicenseInfo: v.licenseInfo } : {}),
    };
  }
}

/** Lambda refuses layer version numbers below 1 before looking anything up. */
function checkLayerVersion(rawVersion: string): void {
  if (Number(rawVersion) < 1) throw invalidParameter('Layer Version Cannot be less than 1');
}

/** Lambda's MaxItems for list operations: 1–10,000, default 50. */
export function readMaxItems(query: URLSearchParams): number {
  const raw = query.get('MaxItems');
  if (raw === null) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new AwsError(
      'ValidationException',
      400,
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`,
    );
  }
  return n;
}
