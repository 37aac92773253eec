/**
 * The platforms `coldbench import` reads, each as an assembler factory, and how a log's
 * platform is recognised from its first lines.
 */
import { type AssemblerOptions, createAwsAssembler, type SampleAssembler } from './assembler.ts';
import { parseLine } from './parse-line.ts';
import { gcpAssemblerFactory } from './gcp.ts';
import { azureAssemblerFactory } from './azure.ts';

/** Makes an assembler for one log; `detect` says whether a line is this platform's. */
export interface AssemblerFactory {
  (options: AssemblerOptions): SampleAssembler;
  detect?: (line: string) => boolean;
}

/** A line is AWS's when it parses as a Lambda platform record. */
export function isAwsLine(line: string): boolean {
  return parseLine(line) !== null;
}

/**
 * Platform name → assembler factory. Another platform plugs in with one line, e.g.
 * `gcp: Object.assign(createGcpAssembler, { detect: isGcpLine }),`.
 */
export const PLATFORM_ASSEMBLERS: Record<string, AssemblerFactory> = {
  aws: Object.assign((options: AssemblerOptions) => createAwsAssembler(options), { detect: isAwsLine }),
  gcp: gcpAssemblerFactory,
  azure: azureAssemblerFactory,
};

/** The platform used when no line is recognised (AWS is coldbench's home platform). */
export const DEFAULT_PLATFORM = 'aws';

/**
 * Which platform wrote these lines: the first line any registered platform's `detect` claims
 * decides (AWS is asked first); `aws` when none does.
 * @example detectPlatform(['hello', 'REPORT RequestId: r1\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t']) // 'aws'
 */
export function detectPlatform(firstLines: string[]): string {
  const entries = Object.entries(PLATFORM_ASSEMBLERS);
  for (const line of firstLines) {
    for (const [name, factory] of entries) {
      if (factory.detect?.(line)) return name;
    }
  }
  return DEFAULT_PLATFORM;
}
