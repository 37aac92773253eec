/**
 * The probe's public API: platform output → samples. Pure parsers (strings in, records out);
 * only fetchLogLines does I/O, through the client it is given.
 */
export type {
  PlatformRecord,
  ReportRecord,
  StartRecord,
  EndRecord,
  InitStartRecord,
  InitReportRecord,
  XrayRecord,
  TimeoutRecord,
  RuntimeExitRecord,
  RuntimeDoneRecord,
  OtherPlatformRecord,
  Malformed,
} from './records.ts';
export type { Sample, SampleKind, SampleStatus, ColdBy } from './sample.ts';
export { parseLine, parseLineDetailed } from './parse-line.ts';
export { decodeLogResult, LOG_RESULT_MAX_BYTES } from './log-result.ts';
export { samplesFromLines } from './samples.ts';
export { sampleFromReport } from './to-sample.ts';
export { sampleToJson } from './sample-json.ts';
export { fetchLogLines, LogFetchError, DEFAULT_FILTER_PATTERN, type LogQuery } from './cloudwatch.ts';
export { createAwsAssembler, type SampleAssembler, type AssemblerOptions, type AssemblerStats } from './assembler.ts';
export { PLATFORM_ASSEMBLERS, detectPlatform, type AssemblerFactory } from './platforms.ts';
