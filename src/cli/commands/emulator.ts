import { defineCommand } from '../command.ts';
import { EXIT_OK, UsageError } from '../errors.ts';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** What `coldbench emulator` runs with, every flag checked. */
interface EmulatorCommandOptions {
  port: number;
  host: string;
  nodeBinaries: string[] | undefined;
}

export const emulatorCommand = defineCommand({
  name: 'emulator',
  describe: 'Run the local Lambda emulator; prints its URL when ready, stops cleanly on SIGINT/SIGTERM',
  flags: {
    port: { type: 'number', default: 0, describe: 'port to listen on (0 = a free port)' },
    host: { type: 'string', default: '127.0.0.1', describe: 'address to bind (anything but loopback prints a warning)' },
    node: {
      type: 'string',
      array: true,
      describe: 'node binary for the nodejsNN.x runtime of its major (repeatable; default: COLDBENCH_NODE, else this node for every nodejsNN.x)',
    },
  },
  resolve: ({ port, host, node }): EmulatorCommandOptions => {
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new UsageError(`--port: ${port} is not a port number`, { hint: 'Pass an integer from 0 to 65535 (0 picks a free port).' });
    }
    return { port, host, nodeBinaries: node };
  },
  run: async ({ port, host, nodeBinaries }, io) => {
    const { isLoopback, startEmulator } = await import('../../emulator/index.ts');
    if (!isLoopback(host)) {
      io.stderr(`Warning: --host ${host} is not loopback: anyone who can reach this address can run code on this machine through the emulator.\n`);
    }
    let emulator: Awaited<ReturnType<typeof startEmulator>>;
    try {
      emulator = await startEmulator({ port, host, nodeBinaries });
    } catch (error) {
      // Node's own listen errors, which only this command can put in terms of its flags.
      const code = error instanceof Error && 'code' in error ? error.code : undefined;
      if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
        throw new UsageError(`--port ${port} --host ${host}: cannot listen there (${code})`, { hint: 'Pick another port, or --port 0 for a free one.', cause: error });
      }
      throw error;
    }
    io.stdout(`${emulator.url}\n`);
    const cpu = emulator.cpuMode;
    io.stderr(`CPU ${cpu.throttled ? 'throttled in proportion to memory' : 'not throttled'}: ${cpu.reason}\n`);
    io.stderr('Serving Lambda, CloudWatch Logs and STS; Ctrl-C (SIGINT) or SIGTERM stops it.\n');
    await new Promise<void>((resolve) => {
      const onSignal = () => {
        for (const s of STOP_SIGNALS) process.off(s, onSignal);
        resolve();
      };
      for (const s of STOP_SIGNALS) process.on(s, onSignal);
    });
    await emulator.stop();
    return EXIT_OK;
  },
});
