import type { FlagSpec } from '../args.ts';

/** The flags of the commands that can reach a real account (bench, clean): whose credentials, which region. */
export const AWS_FLAGS = {
  profile: { type: 'string', describe: 'AWS profile for --target aws (default: the standard credential chain)' },
  region: { type: 'string', describe: 'AWS region for --target aws (default: AWS_REGION)' },
} as const satisfies Record<string, FlagSpec>;
