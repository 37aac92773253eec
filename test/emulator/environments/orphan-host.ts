// Child process for orphans.test.ts: starts a pool, warms one environment, prints its pid, then
// waits to be killed. The pool's own cleanup (and the spawner helper) must take the tree down.
import { createEnvironmentPool } from '../../../src/emulator/environments/index.ts';
import { makeSpec, MemorySink, request, stageFixture } from './helpers.ts';

const pool = await createEnvironmentPool({ logSink: new MemorySink(), endpointUrl: 'http://127.0.0.1:9', skipSdkBuild: true, directSpawn: process.argv[3] === 'direct' });
const spec = makeSpec({ runtime: 'python3.11', handler: 'sleepy.handler', codeDir: stageFixture('python', process.argv[2]) });
const out = await pool.invoke(spec, request());
process.stdout.write(`${JSON.parse(out.payload.toString()).pid}\n`);
setInterval(() => {}, 1000);
