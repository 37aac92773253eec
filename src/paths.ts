/**
 * Files coldbench ships in its package (fixtures/suites, fixtures/functions, fixtures/events,
 * fixtures/serverless/events, docs), found from the package's own location — never from the
 * current folder, so an installed `coldbench` works from any folder. This module sits at the top
 * of src/ (run through tsx) and of dist/ (the compiled package) alike, so the package root is
 * one folder up in both.
 */
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding coldbench's package.json (the checkout, or the installed package). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url)).replace(/\/$/, '');

/**
 * Absolute path of a file shipped with the package, given relative to the package root.
 * @example shippedPath('fixtures/suites/seed.yaml') // → '/usr/lib/node_modules/coldbench/fixtures/suites/seed.yaml'
 */
export function shippedPath(relativePath: string): string {
  return join(PACKAGE_ROOT, relativePath);
}

/** The default suite of `coldbench bench` / `coldbench profile`, relative to the package root. */
export const DEFAULT_SUITE = 'fixtures/suites/seed.yaml';

/**
 * The suite file a command runs: the user's argument as given (relative to the current folder,
 * as any path argument), or without one the seed suite shipped in the package — never a
 * `fixtures/` folder of the current directory, so `coldbench bench` works from any folder.
 * @example suiteOrDefault(undefined) // → '<package>/fixtures/suites/seed.yaml'
 * @example suiteOrDefault('my.yaml') // → 'my.yaml'
 */
export function suiteOrDefault(suite: string | undefined, cwd: string = process.cwd()): string {
  if (suite !== undefined && suite !== '') return suite;
  // Inside the checkout (npm run bench) the shorter relative path reads better in run.json and output.
  const inside = relative(cwd, shippedPath(DEFAULT_SUITE));
  return inside.startsWith('..') || isAbsolute(inside) ? shippedPath(DEFAULT_SUITE) : inside;
}
