/**
 * One log file's bytes → sample JSON lines, as bytes. The same import as file-import.ts (which
 * stays the reference, and reads the file's start, CloudWatch JSON documents and other
 * platforms' logs), with a byte lane for the bulk of an AWS text log: once file-import.ts has
 * recognised lines read by the AWS assembler, every canonical REPORT line is turned into its
 * sample line without decoding the input or encoding the output (report-bytes.ts); any other
 * line is decoded alone and read by the assembler as before. Decoding line by line gives the
 * same text as decoding the stream, since a newline byte never sits inside a UTF-8 character.
 */
import { StringDecoder } from 'node:string_decoder';
import type { SampleAssembler } from './assembler.ts';
import { createFileImporter, type FileImportOptions, type FileImportStats } from './file-import.ts';
import { REPORT_BYTES_OVERHEAD, reportBytesCold, reportBytesIdEnd, reportBytesIdStart, scanReportBytes, writeReportBytes } from './report-bytes.ts';

const NEWLINE = 10;
/** Output batch size: one write per batch; large batches mean few system calls. */
export const BYTE_BATCH_BYTES = 256 * 1024;
/** UTF-8 bytes per UTF-16 code unit at most: the room a string may need once encoded. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Output bytes gathered into batches and handed to `sink`, which must consume them before it
 * returns (the buffer is reused). Strings and byte-lane lines go in, in order.
 */
export class ByteBatch {
  buf: Buffer;
  pos = 0;

  constructor(
    private readonly sink: (bytes: Buffer) => void,
    size = BYTE_BATCH_BYTES,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for n more bytes at `pos`. */
  reserve(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  /** Appends a string's UTF-8 bytes. */
  writeString(text: string): void {
    if (text === '') return;
    this.reserve(text.length * MAX_UTF8_PER_UNIT);
    this.pos += this.buf.write(text, this.pos);
  }

  /** Hands what was gathered to the sink. */
  flush(): void {
    if (this.pos === 0) return;
    this.sink(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

/**
 * Reads one file's bytes; push chunks in order (a chunk's buffer may be reused once push
 * returns), then end(). Samples go to the batch given.
 */
export interface ByteFileImporter {
  push(chunk: Buffer): void;
  end(): void;
  stats(): FileImportStats;
  /** Lines the byte lane wrote (the rest went through the string path): for tests and profiling. */
  laneLines(): number;
}

/**
 * Creates the byte importer of one file, writing its sample lines into `out` (not flushed).
 * @example const f = createByteFileImporter({ platform: 'auto', fallbackVariant: 'app' }, batch); f.push(chunk); f.end()
 */
export function createByteFileImporter(options: FileImportOptions, out: ByteBatch): ByteFileImporter {
  const importer = createFileImporter(options);
  const decoder = new StringDecoder('utf8');
  /** The assembler once file-import.ts handed the lines over; until then it reads decoded text. */
  let lane: SampleAssembler | null = null;
  let lineNumber = 0;
  /** Bytes of the incomplete last line, copied (a reader may reuse its chunks). */
  let carry: Buffer[] = [];
  let laneLines = 0;

  const line = (a: SampleAssembler, b: Buffer, start: number, end: number): void => {
    lineNumber++;
    if (scanReportBytes(b, start, end)) {
      const variantJson = (a.closeCanonicalReport as NonNullable<SampleAssembler['closeCanonicalReport']>)(b, reportBytesIdStart(), reportBytesIdEnd(), reportBytesCold());
      if (variantJson !== null) {
        out.reserve(end - start + MAX_UTF8_PER_UNIT * variantJson.length + REPORT_BYTES_OVERHEAD);
        out.pos = writeReportBytes(out.buf, out.pos, b, variantJson);
        laneLines++;
        return;
      }
    }
    out.writeString((a.pushJson as NonNullable<SampleAssembler['pushJson']>)(b.toString('utf8', start, end), lineNumber));
  };

  /** Before the hand-off: text through file-import.ts; returns the bytes left for the lane, if it took over. */
  const beforeHandOff = (chunk: Buffer): Buffer | null => {
    // Hand-off only at a line's end: up to the chunk's first newline, then try.
    const nl = chunk.indexOf(NEWLINE);
    if (nl < 0) {
      out.writeString(importer.push(decoder.write(chunk)));
      return null;
    }
    out.writeString(importer.push(decoder.write(chunk.subarray(0, nl + 1))));
    const handed = importer.handOff();
    if (handed === null) {
      out.writeString(importer.push(decoder.write(chunk.subarray(nl + 1))));
      return null;
    }
    lane = handed.assembler;
    lineNumber = handed.lineNumber;
    return chunk.subarray(nl + 1);
  };

  return {
    push(input) {
      let chunk: Buffer | null = input;
      if (lane === null) chunk = beforeHandOff(input);
      if (chunk === null || lane === null) return;
      const a: SampleAssembler = lane;
      let start = 0;
      if (carry.length > 0) {
        const nl = chunk.indexOf(NEWLINE);
        if (nl < 0) {
          carry.push(Buffer.from(chunk));
          return;
        }
        carry.push(chunk.subarray(0, nl));
        const whole = Buffer.concat(carry);
        carry = [];
        line(a, whole, 0, whole.length);
        start = nl + 1;
      }
      const n = chunk.length;
      let nl = chunk.indexOf(NEWLINE, start);
      while (nl >= 0) {
        line(a, chunk, start, nl);
        start = nl + 1;
        nl = chunk.indexOf(NEWLINE, start);
      }
      if (start < n) carry.push(Buffer.from(chunk.subarray(start)));
    },
    end() {
      if (lane === null) {
        out.writeString(importer.push(decoder.end()));
      } else if (carry.length > 0) {
        // The last line, without a newline.
        const whole = Buffer.concat(carry);
        carry = [];
        line(lane, whole, 0, whole.length);
      }
      out.writeString(importer.end());
    },
    stats: () => importer.stats(),
    laneLines: () => laneLines,
  };
}
