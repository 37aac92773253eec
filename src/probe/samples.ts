import { createAwsAssembler } from './assembler.ts';
import type { Sample } from './sample.ts';
import { timeoutsInText } from './timeouts.ts';

/**
 * AWS log lines → one Sample per REPORT / platform.report record, with status and errorType
 * folded in from the lines of the same request (timeout line — before or after the REPORT —,
 * runtime exit, INIT_REPORT phase invoke). Lines that are not platform lines are ignored.
 * @example samplesFromLines(['REPORT RequestId: r1\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 120.1 ms\t'], { variant: 'f' }) // [{ kind: 'cold', initMs: 120.1, … }]
 */
export function samplesFromLines(lines: Iterable<string>, options: { variant: string }): Sample[] {
  const all = Array.isArray(lines) ? (lines as string[]) : [...lines];
  // A timeout line may follow its REPORT: find them all first.
  const timedOut = new Map<string, number | null>();
  for (const line of all) if (line.includes('Task timed out after ')) timeoutsInText(line, timedOut);
  const assembler = createAwsAssembler({ variant: options.variant, timedOut });
  const samples: Sample[] = [];
  let n = 0;
  for (const line of all) {
    for (const s of assembler.push(line, ++n)) samples.push(s);
  }
  for (const s of assembler.end()) samples.push(s);
  return samples;
}
