// Loader hooks for node-esm-timer.mjs (Node's module.register; they run on the loader thread).
// resolve remembers which module first imported each URL, so load knows a module's depth in the
// import tree; load wraps each ES module's body in begin/end marks (on its first and after its
// last line, so line numbers stay true) and times chosen module-level statements of the function's
// own files (node-statement-timer.cjs).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const { instrument } = createRequire(import.meta.url)('./node-statement-timer.cjs');
const parentOf = new Map();
const depthOf = new Map();

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (context.parentURL && !parentOf.has(result.url)) parentOf.set(result.url, context.parentURL);
  return result;
}

export async function load(url, context, next) {
  const result = await next(url, context);
  if (result.format !== 'module' || !url.startsWith('file:') || result.source == null) return result;
  const parent = parentOf.get(url);
  const depth = parent !== undefined && depthOf.has(parent) ? depthOf.get(parent) + 1 : 0;
  depthOf.set(url, depth);
  let source = typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source);
  source = instrument(source, fileURLToPath(url));
  const u = JSON.stringify(url);
  // After a hashbang line, never before it; a begin mark before `import` declarations is fine (they are hoisted).
  const at = source.startsWith('#!') ? source.indexOf('\n') + 1 : 0;
  source = `${source.slice(0, at)}globalThis.__coldbench_esm__?.begin(${u});${source.slice(at)}\n;globalThis.__coldbench_esm__?.end(${u},${depth});\n`;
  return { ...result, source };
}
