/**
 * The variant matrix (docs/suite-format.md "Variant names"), command-line overrides and the
 * seeded, shuffled order in which variants run.
 */
import picomatch from 'picomatch';
import { makeRng } from '../report/random.ts';
import type { PlannedVariant } from '../report/run-info.ts';
import { BenchOptionError, SuiteError } from './errors.ts';
import type { ColdStrategy, LayerSource, Packaging, Suite, SuiteEvent, SuiteFunction } from './suite.ts';

export interface Variant extends PlannedVariant {
  /** The `variants` key, or the function name */
  base: string;
  timeoutS: number;
  concurrency: number;
  coldStrategy: ColdStrategy;
  /** Suite + variant environment (the harness adds its own keys at deploy time) */
  environment: Record<string, string>;
  events: SuiteEvent[];
  /** The `extensions` axis: the extension layer's name (its folder's basename), absent = none */
  extension?: string;
  /** Layers to attach, in order: the function's `layers`, then the extension layer */
  layers?: LayerSource[];
}

export interface Plan {
  variants: Variant[];
  /** Variant names in the seeded order they run in */
  order: string[];
  seed: number;
  /** The strategy recorded in run.json: the override, else the one most variants use */
  coldStrategy: ColdStrategy;
}

export interface PlanOverrides {
  /** Globs on variant names (picomatch), any of which selects a variant */
  only?: string[];
  cold?: number;
  warm?: number;
  memory?: number[];
  coldStrategy?: ColdStrategy;
  seed?: number;
}

/** `<base>@<memory>[-<packaging>][-<runtime>][-<architecture>][-<extension>][-pc<N>][-snap]` for one cell of the matrix. */
export function variantName(
  fn: SuiteFunction,
  cell: { base: string; memoryMB: number; packaging: Packaging; runtime: string; architecture: string; extension?: string; provisioned?: number; snapStart?: boolean },
): string {
  let name = `${cell.base}@${cell.memoryMB}`;
  const hasDependencies = fn.requirements !== null || fn.nodeDependencies;
  if (hasDependencies || fn.packagingDeclared) name += `-${cell.packaging}`;
  if (fn.runtimes.length > 1) name += `-${cell.runtime}`;
  if (fn.architectures.length > 1) name += `-${cell.architecture}`;
  if (cell.extension) name += `-${cell.extension}`;
  if (cell.provisioned) name += `-pc${cell.provisioned}`;
  if (cell.snapStart) name += '-snap';
  return name;
}

/**
 * Every combination of one value from each axis, as nested loops over the axes in the order given
 * would produce them: the first axis varies slowest, the last fastest. An empty axis gives none.
 * @example cartesian([[1, 2], ['a', 'b']]) yields [1, 'a'], [1, 'b'], [2, 'a'], [2, 'b']
 */
export function* cartesian<const Axes extends readonly (readonly unknown[])[]>(axes: Axes): Generator<Combination<Axes>> {
  // TypeScript cannot follow a tuple type through the recursion, hence the casts.
  if (axes.length === 0) {
    yield [] as unknown as Combination<Axes>;
    return;
  }
  const [first, ...rest] = axes;
  for (const value of first) {
    for (const tail of cartesian(rest)) yield [value, ...tail] as unknown as Combination<Axes>;
  }
}

/** One value of each axis, position for position: `[number[], string[]]` gives `[number, string]`. */
type Combination<Axes extends readonly (readonly unknown[])[]> = { [K in keyof Axes]: Axes[K][number] };

type VariantSpec = NonNullable<SuiteFunction['variants']>[string];

/** Expands the suite into variants, applies the overrides and shuffles the order by seed. */
export function plan(suite: Suite, overrides: PlanOverrides = {}): Plan {
  const variants: Variant[] = [];
  const owner = new Map<string, string>();
  for (const fn of suite.functions) {
    const bases: Array<[string, VariantSpec]> = fn.variants ? Object.entries(fn.variants) : [[fn.name, {}]];
    const memories = overrides.memory ?? fn.memory;
    // The axes in the order of the suffixes in variant names (variantName), which is also the order variants are listed in.
    const cells = cartesian([bases, memories, fn.packaging, fn.runtimes, fn.architectures, fn.extensions, fn.provisioned, fn.snapStart]);
    for (const [[base, spec], memoryMB, packaging, runtime, architecture, extensionLayer, provisioned, snapStart] of cells) {
      // Lambda runs SnapStart or provisioned concurrency on a version, never both (suite.ts refuses the pair set alone).
      if (snapStart && provisioned > 0) continue;
      const extension = extensionLayer?.name;
      const layers = [...fn.layers, ...(extensionLayer ? [extensionLayer] : [])];
      const name = variantName(fn, { base, memoryMB, packaging, runtime, architecture, extension, provisioned, snapStart });
      const clash = owner.get(name);
      if (clash !== undefined) {
        throw new SuiteError(
          `${suite.file}: variant name ${name} is produced by both functions.${clash} and functions.${fn.name}; rename a function or a \`variants\` key so every variant name is unique`,
        );
      }
      owner.set(name, fn.name);
      variants.push({
        name,
        function: fn.name,
        base,
        memoryMB,
        architecture,
        runtime,
        packaging,
        handler: spec.handler ?? fn.handler,
        cold: overrides.cold ?? fn.cold,
        warm: overrides.warm ?? fn.warm,
        timeoutS: fn.timeout,
        concurrency: fn.concurrency,
        coldStrategy: overrides.coldStrategy ?? fn.coldStrategy,
        environment: { ...fn.environment, ...(spec.environment ?? {}) },
        events: fn.events,
        ...(provisioned > 0 ? { provisioned } : {}),
        ...(snapStart ? { snapStart } : {}),
        ...(extension ? { extension } : {}),
        ...(layers.length ? { layers } : {}),
      });
    }
  }
  let selected = variants;
  if (overrides.only && overrides.only.length > 0) {
    const matchers = overrides.only.map((glob) => picomatch(glob));
    selected = variants.filter((v) => matchers.some((m) => m(v.name)));
    if (selected.length === 0) {
      throw new BenchOptionError(
        `--only ${overrides.only.map((g) => `'${g}'`).join(' --only ')} matches no variant of ${suite.file}; the variants are: ${variants.map((v) => v.name).join(', ')}`,
      );
    }
  }
  const wrong = selected.find((v) => v.snapStart && v.coldStrategy !== 'version');
  if (wrong) {
    throw new BenchOptionError(
      `--cold-strategy ${wrong.coldStrategy}: ${wrong.name} uses snapStart, which needs coldStrategy version (SnapStart restores published versions); drop --cold-strategy or pass version`,
    );
  }
  const seed = overrides.seed ?? suite.seed;
  const order = seededShuffle(
    selected.map((v) => v.name),
    seed,
  );
  return { variants: selected, order, seed, coldStrategy: overrides.coldStrategy ?? mostCommon(selected.map((v) => v.coldStrategy)) };
}

function mostCommon<T>(values: T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

/** Fisher–Yates with a seeded generator: the same seed always gives the same order. */
export function seededShuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  const random = makeRng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Picks an event by weight for invoke number `index` (deterministic per seed). */
export function pickEvent(events: SuiteEvent[], random: () => number): SuiteEvent {
  if (events.length === 1) return events[0];
  const total = events.reduce((sum, e) => sum + e.weight, 0);
  let r = random() * total;
  for (const event of events) {
    r -= event.weight;
    if (r < 0) return event;
  }
  return events[events.length - 1];
}
