/**
 * The words every part of coldbench shares: Lambda's architectures, runtimes and the limits both
 * suites and the emulator enforce, how a package is built and how cold starts are forced. Suites,
 * plans, run.json, reports, the emulator and the CLI all speak them, so they are spelled once here.
 * Every layer may import this module (it imports nothing); the emulator re-exports LOCAL_RUNTIMES
 * from its contract.
 */

/**
 * How Lambda initialised an environment, as AWS_LAMBDA_INITIALIZATION_TYPE and platform.initStart say it
 * (a sample's `initType` in reports).
 */
export type InitializationType = 'on-demand' | 'provisioned-concurrency' | 'snap-start';

/** Lambda's instruction set architectures (`Architectures` in CreateFunction). */
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** Lambda's limit of 5 layers per function: suites, `profile`'s tracing copy and the emulator's CreateFunction refuse more, as Lambda does. */
export const MAX_LAYERS = 5;

/** Lambda's memory range in MB (1 MB steps): suites, `bench --memory` and the emulator's Lambda API refuse sizes outside it, as Lambda does. */
export const MIN_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 10_240;

/** Lambda's function timeout range in seconds (1 s to 15 min): suites and the emulator's Lambda API refuse others, as Lambda does. */
export const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 900;

/** How a function's dependencies are shipped: in its package, in a layer, or bundled by esbuild (Node only). */
export const PACKAGINGS = ['bundled', 'layer', 'esbuild'] as const;
export type Packaging = (typeof PACKAGINGS)[number];

/**
 * How cold starts are forced (DESIGN.md, "Measurement rules"): `burst` (one configuration update,
 * then N concurrent invokes), `config-bump` (an update per sample), `version` (a published
 * version per sample; SnapStart needs it).
 */
export const COLD_STRATEGIES = ['burst', 'config-bump', 'version'] as const;
export type ColdStrategy = (typeof COLD_STRATEGIES)[number];

/**
 * Every Lambda runtime identifier the emulator runs: CreateFunction accepts these and no other,
 * and the harness refuses any other before it packages for a local target. Each runs on the
 * closest local interpreter (see RuntimeInterpreter); provided.* runs the package's own bootstrap.
 */
export const LOCAL_RUNTIMES: readonly string[] = [
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'provided',
  'provided.al2',
  'provided.al2023',
];

/** Whether a value is one of ARCHITECTURES. */
export function isArchitecture(value: unknown): value is Architecture {
  return (ARCHITECTURES as readonly unknown[]).includes(value);
}
