import type { CommandDef } from '../command.ts';
import { notBuiltYet } from '../io.ts';

export const emulatorCommand: CommandDef = {
  command: 'emulator',
  describe: 'Run the local Lambda emulator; prints its URL when ready, stops cleanly on SIGINT/SIGTERM',
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 0, describe: 'port to listen on (0 = a free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to bind (anything but loopback prints a warning)' }),
  run: async (_args, io) => notBuiltYet(io, 'emulator', 'issue #3, the local emulator'),
};
