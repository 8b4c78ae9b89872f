import { isUtf8 } from 'node:buffer';
import { createHash, hash } from 'node:crypto';
import { checkExample } from './example-checks.js';
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
/** Duplicate detection keeps one number per distinct example, up to this many (~40 MB). */
export const MAX_TRACKED_EXAMPLES = 1_000_000;

export type ByteSource = AsyncIterable<Uint8Array | string>;

export interface DatasetFile {
  /** A Node Readable (file, blob download, HTTP body) or any async iterable of chunks. */
  source: ByteSource;
  /** How the report names the file. */
  path: string;
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
  const trainingSeen = new Map<number, number>();
  const trainingResult = await validateFile(training, 'training', model, counter, options, trainingSeen);
  const files = [trainingResult.report];
  if (validation) {
    files.push((await validateFile(validation, 'validation', model, counter, options, new Map(), trainingSeen)).report);
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
  seen: Map<number, number>,
  trainingSeen?: ReadonlyMap<number, number>,
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
  let validExamples = 0;
  let measuredExamples = 0;
  let tooLong = 0;

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
    // 48 bits of SHA-1 per distinct example: collisions are negligible below millions of lines.
    const key = hash('sha1', text.trim(), 'buffer').readUIntBE(0, 6);
    const first = seen.get(key);
    if (first !== undefined) {
      add({ line, code: 'duplicate_example', message: `same example as line ${first}` });
    } else if (seen.size < MAX_TRACKED_EXAMPLES) {
      seen.set(key, line);
    } else if (notes.length === 0) {
      notes.push(`duplicate detection covered the first ${MAX_TRACKED_EXAMPLES} distinct examples only`);
    }
    const inTraining = trainingSeen?.get(key);
    if (inTraining !== undefined) {
      add({ line, code: 'train_validation_overlap', message: `same example as training line ${inTraining}` });
    }
  };

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

  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (bytes > maxFileBytes) {
    add({ line: null, code: 'file_too_large', message: `file is ${bytes} bytes; the service accepts at most ${maxFileBytes}` });
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

  return {
    totals,
    report: {
      role,
      path: file.path,
      bytes,
      sha256: sha256.digest('hex'),
      examples,
      validExamples,
      measuredExamples,
      errors: errors.items,
      warnings: warnings.items,
      errorCount: errors.total,
      warningCount: warnings.total,
      tokens: { total: totals.summary(), assistant: assistant.summary() },
      messages: messages.summary(),
      tooLong,
      notes,
    },
  };
}
