import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { checkExample } from './example-checks.js';
import { DEFAULT_MAX_SLOTS, ExampleSet, falseDuplicateBound, fingerprintOf } from './example-set.js';
import { estimateTraining } from './estimate.js';
import { CappedFindings, isErrorCode, type Finding } from './findings.js';
import { IntHistogram } from './histogram.js';
import { LineSplitter } from './line-splitter.js';
import { DEFAULT_BASE_MODEL, resolveModel, type EncodingName, type ModelInfo } from './models.js';
import type { FileReport, FileRole, ValidationReport } from './report.js';
import { TokenCounter } from './token-counter.js';
import { firstInvalidUtf8Offset } from './utf8.js';

/** Azure OpenAI accepts fine-tuning files up to 512 MB. */
export const DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024;
export const DEFAULT_MAX_ERRORS = 100;
export const MIN_TRAINING_EXAMPLES = 10;
/** No valid example comes near this; a longer line is reported without being held in memory. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Slots of the training file's example set (96 MiB at most); a validation file's gets a quarter. */
export const TRAINING_EXAMPLE_SLOTS = DEFAULT_MAX_SLOTS;

export type ByteSource = AsyncIterable<Uint8Array | string>;

export interface DatasetFile {
  /** A Node Readable (file, blob download, HTTP body) or any async iterable of chunks. */
  source: ByteSource;
  /** How the report names the file. */
  path: string;
  /** Size in bytes, when known up front (file, blob): a file over the limit is reported without being read. */
  size?: number;
}

export interface ValidateOptions {
  model?: string;
  encoding?: EncodingName;
  maxExampleTokens?: number;
  maxErrors?: number;
  maxFileBytes?: number;
  maxLineBytes?: number;
  /** Epochs requested in the run options; the service's default is estimated otherwise. */
  epochs?: number;
  /** Called as bytes are read, with the role of the file and bytes read so far. */
  onProgress?: (role: FileRole, bytesRead: number) => void;
}

/**
 * Validates a training file and an optional validation file in one streaming pass each, with
 * memory bounded independently of file size. Throws only for an unknown model or an unreadable
 * source; everything wrong with the data is a finding in the report.
 */
export async function validateDataset(
  training: DatasetFile,
  validation: DatasetFile | undefined,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  const model = resolveModel(options.model ?? DEFAULT_BASE_MODEL, {
    ...(options.encoding ? { encoding: options.encoding } : {}),
    ...(options.maxExampleTokens ? { maxExampleTokens: options.maxExampleTokens } : {}),
  });
  const counter = new TokenCounter(model.encoding);
  const trainingSeen = new ExampleSet(TRAINING_EXAMPLE_SLOTS);
  const trainingResult = await validateFile(training, 'training', model, counter, options, trainingSeen);
  const files = [trainingResult.report];
  if (validation) {
    files.push((await validateFile(validation, 'validation', model, counter, options, new ExampleSet(TRAINING_EXAMPLE_SLOTS / 4), trainingSeen)).report);
  }
  return {
    valid: files.every((f) => f.errorCount === 0),
    model: model.id,
    encoding: model.encoding,
    maxExampleTokens: model.maxExampleTokens,
    files,
    estimate: estimateTraining(
      trainingResult.report.examples,
      trainingResult.totals.cappedSum(model.maxExampleTokens),
      options.epochs,
    ),
  };
}

interface FileResult {
  report: FileReport;
  totals: IntHistogram;
}

async function validateFile(
  file: DatasetFile,
  role: FileRole,
  model: ModelInfo,
  counter: TokenCounter,
  options: ValidateOptions,
  seen: ExampleSet,
  trainingSeen?: ExampleSet,
): Promise<FileResult> {
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const errors = new CappedFindings(maxErrors);
  const warnings = new CappedFindings(maxErrors);
  const add = (finding: Finding): void => (isErrorCode(finding.code) ? errors : warnings).add(finding);
  const totals = new IntHistogram();
  const assistant = new IntHistogram();
  const messages = new IntHistogram(4096);
  const notes: string[] = [];
  let examples = 0;
  let tooLong = 0;

  let validExamples = 0;
  let measuredExamples = 0;

  const onLine = (line: number, bytes: Buffer | null, length: number): void => {
    const before = { examples, errors: errors.total };
    checkLine(line, bytes, length);
    // An example is valid when its line raised no error (warnings allowed).
    if (examples > before.examples && errors.total === before.errors) validExamples++;
  };

  const checkLine = (line: number, bytes: Buffer | null, length: number): void => {
    if (bytes === null) {
      examples++;
      add({ line, code: 'line_too_long', message: `line is ${length} bytes, more than any example can be; it was skipped` });
      return;
    }
    if (!isUtf8(bytes)) {
      examples++;
      const at = firstInvalidUtf8Offset(bytes);
      const hex = bytes[at]?.toString(16).padStart(2, '0') ?? '??';
      add({ line, code: 'invalid_utf8', message: `line is not valid UTF-8 (byte 0x${hex} at column ${at + 1}); save the file as UTF-8` });
      return;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      add({ line, code: 'blank_line', message: 'blank line (ignored)' });
      return;
    }
    examples++;
    trackDuplicates(text, line);

    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      add({ line, code: 'invalid_json', message: `invalid JSON: ${(error as Error).message}` });
      return;
    }
    const result = checkExample(parsed, counter);
    for (const issue of result.issues) add({ line, ...issue });
    if (result.tokens) {
      measuredExamples++;
      totals.add(result.tokens.total);
      assistant.add(result.tokens.assistant);
      messages.add(result.tokens.messages);
      if (result.tokens.total > model.maxExampleTokens) {
        tooLong++;
        add({
          line,
          code: 'too_many_tokens',
          message: `example has ${result.tokens.total} tokens; ${model.id} trains on at most ${model.maxExampleTokens} per example`,
        });
      }
    }
  };

  const trackDuplicates = (text: string, line: number): void => {
    const [hi, lo] = fingerprintOf(text.trim());
    const first = seen.lineOf(hi, lo);
    if (first !== 0) add({ line, code: 'duplicate_example', message: `same example as line ${first}` });
    else seen.add(hi, lo, line);
    const inTraining = trainingSeen?.lineOf(hi, lo) ?? 0;
    if (inTraining !== 0) add({ line, code: 'train_validation_overlap', message: `same example as training line ${inTraining}` });
  };

  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const tooLarge = (bytes: number): Finding => ({ line: null, code: 'file_too_large', message: `file is ${bytes} bytes; the service accepts at most ${maxFileBytes}` });
  if (file.size !== undefined && file.size > maxFileBytes) {
    // Known from its size: report at once instead of reading (and hashing) a file that cannot be used.
    add(tooLarge(file.size));
    return { totals, report: fileReport({ role, path: file.path, bytes: file.size, sha256: '', examples: 0, validExamples: 0, measuredExamples: 0, errors, warnings, totals, assistant, messages, tooLong: 0, notes: ['not read: the file is over the size limit'], seen }) };
  }

  const sha256 = createHash('sha256');
  const splitter = new LineSplitter(onLine, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  let bytes = 0;
  for await (const chunk of file.source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    bytes += buffer.length;
    sha256.update(buffer);
    splitter.push(buffer);
    options.onProgress?.(role, bytes);
  }
  splitter.end();

  if (bytes > maxFileBytes) add(tooLarge(bytes));
  if (seen.notRemembered > 0) {
    notes.push(`${seen.notRemembered} distinct examples came after the duplicate check's ${seen.capacity} were remembered: they were checked against those, not against each other`);
  }
  if (examples === 0) {
    add({ line: null, code: 'empty_file', message: 'file has no examples' });
  } else if (role === 'training' && examples < MIN_TRAINING_EXAMPLES) {
    add({
      line: null,
      code: 'too_few_examples',
      message: `${examples} example${examples === 1 ? '' : 's'}; fine-tuning needs at least ${MIN_TRAINING_EXAMPLES}`,
    });
  }

  return { totals, report: fileReport({ role, path: file.path, bytes, sha256: sha256.digest('hex'), examples, validExamples, measuredExamples, errors, warnings, totals, assistant, messages, tooLong, notes, seen }) };
}

interface FileFacts {
  role: FileRole;
  path: string;
  bytes: number;
  sha256: string;
  examples: number;
  validExamples: number;
  measuredExamples: number;
  errors: CappedFindings;
  warnings: CappedFindings;
  totals: IntHistogram;
  assistant: IntHistogram;
  messages: IntHistogram;
  tooLong: number;
  notes: string[];
  seen: ExampleSet;
}

function fileReport(f: FileFacts): FileReport {
  return {
    role: f.role,
    path: f.path,
    bytes: f.bytes,
    sha256: f.sha256,
    examples: f.examples,
    validExamples: f.validExamples,
    measuredExamples: f.measuredExamples,
    errors: f.errors.items,
    warnings: f.warnings.items,
    errorCount: f.errors.total,
    warningCount: f.warnings.total,
    tokens: { total: f.totals.summary(), assistant: f.assistant.summary() },
    messages: f.messages.summary(),
    tooLong: f.tooLong,
    duplicateCheck: {
      distinct: f.seen.size,
      falseDuplicateBound: falseDuplicateBound(f.seen.size + f.seen.notRemembered),
      notRemembered: f.seen.notRemembered,
    },
    notes: f.notes,
  };
}
