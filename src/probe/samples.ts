import { createAwsAssembler } from './assembler.ts';
import type { Sample } from './sample.ts';

/**
 * AWS log lines → one Sample per REPORT / platform.report record, with status and errorType
 * folded in from the lines of the same request (timeout line, runtime exit, INIT_REPORT phase
 * invoke). Lines that are not platform lines are ignored.
 * @example samplesFromLines(['REPORT RequestId: r1\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 120.1 ms\t'], { variant: 'f' }) // [{ kind: 'cold', initMs: 120.1, … }]
 */
export function samplesFromLines(lines: Iterable<string>, options: { variant: string }): Sample[] {
  const assembler = createAwsAssembler({ variant: options.variant });
  const samples: Sample[] = [];
  let n = 0;
  for (const line of lines) {
    for (const s of assembler.push(line, ++n)) samples.push(s);
  }
  for (const s of assembler.end()) samples.push(s);
  return samples;
}
