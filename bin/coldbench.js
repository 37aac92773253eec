#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx so the checkout needs no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every command that its future releases will need Node 22; coldbench pins
// SDK versions that run on Node 20, so the notice is noise in coldbench's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { run } = await import('../src/cli/main.ts');
await run(process.argv.slice(2));
