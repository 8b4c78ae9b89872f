/**
 * Splits a byte stream into lines without ever holding more than one line (plus one chunk) in
 * memory. Tolerates a UTF-8 BOM at the start, CRLF line ends and a last line without a newline.
 * A line longer than `maxLineBytes` is not buffered: it is reported by length only, so a corrupt
 * or binary file cannot exhaust memory.
 */
export type LineHandler = (lineNumber: number, bytes: Buffer | null, length: number) => void;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LF = 10;
const CR = 13;

export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private lineNumber = 0;

  constructor(
    private readonly onLine: LineHandler,
    private readonly maxLineBytes: number,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, start);
      if (newline === -1) {
        this.hold(chunk.subarray(start));
        return;
      }
      this.emit(chunk.subarray(start, newline));
      start = newline + 1;
    }
  }

  /** Flushes a last line that has no newline after it. */
  end(): void {
    if (this.carryBytes > 0) this.emit(Buffer.alloc(0));
  }

  private hold(part: Buffer): void {
    if (part.length === 0) return;
    if (this.carryBytes <= this.maxLineBytes) this.carry.push(Buffer.from(part)); // copy: chunks are reused by some streams
    this.carryBytes += part.length;
  }

  private emit(tail: Buffer): void {
    const length = this.carryBytes + tail.length;
    this.lineNumber++;
    if (length > this.maxLineBytes) {
      this.reset();
      this.onLine(this.lineNumber, null, length);
      return;
    }
    let line = this.carry.length === 0 ? tail : Buffer.concat([...this.carry, tail], length);
    this.reset();
    if (this.lineNumber === 1 && line.subarray(0, 3).equals(BOM)) line = line.subarray(3);
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    this.onLine(this.lineNumber, line, line.length);
  }

  private reset(): void {
    this.carry = [];
    this.carryBytes = 0;
  }
}
