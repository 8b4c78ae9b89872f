import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { DEFAULT_MAX_SLOTS, ExampleSet, falseDuplicateBound, fingerprintOf } from './example-set.js';
import { estimateTraining } from './estimate.js';
import { CappedFindings, isErrorCode, type Finding } from './findings.js';
import { checkGrader, dryRun, type ParsedGrader } from './grader-checks.js';
import { IntHistogram } from './histogram.js';
import type { LineChecker } from './line-outcome.js';
import { LineSplitter } from './line-splitter.js';
import { detectMethod, lineChecker } from './method-checks.js';
import {
  DEFAULT_BASE_MODEL,
  findModel,
  methodRefusal,
  resolveModel,
  trainingTypeRefusal,
  visionModels,
  type CatalogEntry,
  type EncodingName,
  type FineTuningMethod,
  type ModelInfo,
} from './models.js';
import type { FileReport, FileRole, ValidationReport } from './report.js';
import { ReinforcementChecker } from './rft-checks.js';
import { TokenCounter } from './token-counter.js';
import { firstInvalidUtf8Offset } from './utf8.js';
import { looksLikePreference } from './dpo-checks.js';
import { MAX_IMAGE_EXAMPLES_PER_FILE } from './vision-checks.js';

/** Azure OpenAI accepts fine-tuning files up to 512 MB. */
export const DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024;
export const DEFAULT_MAX_ERRORS = 100;
export const MIN_TRAINING_EXAMPLES = 10;
/**
 * Longest line read into memory; a longer one is reported without being held. Text examples never
 * come near it; vision examples inline images as base64 (up to 64 images of 10 MB each, so in
 * theory ~850 MB), and 128 MB covers a dozen inline images of the largest size while keeping one
 * line's memory bounded. Larger vision examples can reference their images by http(s) URL.
 */
export const DEFAULT_MAX_LINE_BYTES = 128 * 1024 * 1024;
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
  /**
   * The base model. Without one the default model's tokenizer and limit are used, but whether the
   * model offers the method, the training type or image input is not judged (the emulator's file
   * processing, like Azure's, does not know the model yet).
   */
  model?: string;
  encoding?: EncodingName;
  maxExampleTokens?: number;
  maxErrors?: number;
  maxFileBytes?: number;
  maxLineBytes?: number;
  /** Epochs requested in the run options; the service's default is estimated otherwise. */
  epochs?: number;
  /** The fine-tuning method; detected from the first line (and said so in the report) when absent. */
  method?: FineTuningMethod;
  /** The grader of a reinforcement run: `<name>.grader.json`'s name and text; `problem`: why it cannot be used as given. */
  grader?: { path: string; text: string; problem?: string };
  /** The run's training type, checked against what the model is documented to offer. */
  trainingType?: string;
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
  const grader = options.grader ? checkGrader(options.grader.path, options.grader.text) : undefined;
  if (grader && options.grader?.problem) grader.report.errors.unshift({ line: null, code: 'grader_invalid', message: options.grader.problem });
  const context: RunContext = {
    model,
    entry: options.model === undefined ? undefined : findModel(model.id),
    counter,
    options,
    grader,
    method: options.method,
    methodSource: options.method ? 'options' : 'detected',
    notes: [],
  };
  const trainingSeen = new ExampleSet(TRAINING_EXAMPLE_SLOTS);
  const trainingResult = await validateFile(training, 'training', context, trainingSeen);
  const files = [trainingResult.report];
  if (validation) {
    files.push((await validateFile(validation, 'validation', context, new ExampleSet(TRAINING_EXAMPLE_SLOTS / 4), trainingSeen)).report);
  }
  const method = context.method ?? 'supervised';
  runLevelChecks(context, method, trainingResult.report, validation !== undefined);
  if (grader?.grader && context.checker instanceof ReinforcementChecker) dryRun(grader.grader, context.checker.samples, grader.report);
  if (grader) grader.report.valid = grader.report.errors.length === 0;
  const estimate = estimateTraining(trainingResult.report.examples, trainingResult.totals.cappedSum(model.maxExampleTokens), options.epochs);
  return {
    valid: files.every((f) => f.errorCount === 0) && (grader?.report.valid ?? true),
    model: model.id,
    encoding: model.encoding,
    maxExampleTokens: model.maxExampleTokens,
    method,
    methodSource: context.methodSource,
    ...(context.entry?.retirement ? { retirement: context.entry.retirement } : {}),
    files,
    ...(grader ? { grader: grader.report } : {}),
    notes: context.notes,
    estimate:
      method === 'reinforcement'
        ? {
            ...estimate,
            // learn.microsoft.com/azure/ai-foundry/openai/how-to/fine-tuning-cost-management: RFT is billed by training time (plus grader tokens).
            note: 'reinforcement fine-tuning is billed by training time and grader usage, not by training tokens; the figure counts prompt tokens only',
          }
        : estimate,
  };
}

/** What the whole run shares while its files are read. */
interface RunContext {
  model: ModelInfo;
  /** The catalog's entry for the model; undefined for a model given by encoding and limit only. */
  entry: CatalogEntry | undefined;
  counter: TokenCounter;
  options: ValidateOptions;
  grader: ParsedGrader | undefined;
  method: FineTuningMethod | undefined;
  methodSource: 'options' | 'detected';
  /** Created for the method once it is known (at the first line that parses). */
  checker?: LineChecker;
  notes: string[];
}

/** Checks of the method, model, training type, files and grader together; added to the training file's report. */
function runLevelChecks(context: RunContext, method: FineTuningMethod, training: FileReport, hasValidation: boolean): void {
  const add = (finding: Finding): void => {
    const errors = isErrorCode(finding.code);
    (errors ? training.errors : training.warnings).unshift(finding);
    if (errors) training.errorCount++;
    else training.warningCount++;
  };
  const { entry, options } = context;
  if (context.methodSource === 'detected') {
    context.notes.push(`method not given: validated as ${method} (detected from the data${options.grader ? ' and the grader' : ''}); say --method ${method} or set method.type in the options to be sure`);
  }
  if (entry) {
    const refusal = methodRefusal(entry, method);
    if (refusal && entry.retired && context.methodSource === 'detected') {
      add({ line: null, code: 'model_retired', message: refusal });
    } else if (refusal) {
      add({ line: null, code: 'unsupported_method', message: refusal });
    }
    const typeRefusal = options.trainingType ? trainingTypeRefusal(entry, options.trainingType) : undefined;
    if (typeRefusal) add({ line: null, code: 'unsupported_training_type', message: typeRefusal });
  } else if (options.model === undefined) {
    context.notes.push(`no base model given: tokens counted for ${context.model.id}; whether a model offers ${method} fine-tuning (or image input) was not checked`);
  } else {
    context.notes.push(`${context.model.id} is not in the model catalog: whether Azure offers ${method} fine-tuning for it was not checked`);
  }
  if (method === 'reinforcement') {
    // learn.microsoft.com/azure/ai-foundry/openai/how-to/reinforcement-fine-tuning: "Both a training and a validation dataset must be provided."
    if (!hasValidation) add({ line: null, code: 'rft_validation_file_required', message: 'reinforcement fine-tuning needs a validation file as well (<name>.validation.jsonl / --validation)' });
    if (!context.grader) add({ line: null, code: 'grader_missing', message: 'reinforcement fine-tuning needs a grader (<name>.grader.json / --grader)' });
  } else if (context.grader) {
    context.notes.push(`the grader ${context.grader.report.path} is used by reinforcement fine-tuning only; it is ignored for ${method}`);
  }
}

interface FileResult {
  report: FileReport;
  totals: IntHistogram;
}

async function validateFile(
  file: DatasetFile,
  role: FileRole,
  context: RunContext,
  seen: ExampleSet,
  trainingSeen?: ExampleSet,
): Promise<FileResult> {
  const { model, options } = context;
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const errors = new CappedFindings(maxErrors);
  const warnings = new CappedFindings(maxErrors);
  const add = (finding: Finding): void => (isErrorCode(finding.code) ? errors : warnings).add(finding);
  const totals = new IntHistogram();
  const assistant = new IntHistogram();
  const messages = new IntHistogram(4096);
  let rows: IntHistogram[] | undefined;
  const notes: string[] = [];
  let examples = 0;
  let tooLong = 0;
  let imageExamples = 0;
  const textOnly = context.entry?.modality === 'text';

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
      const limit = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
      add({
        line,
        code: 'line_too_long',
        message: `line is ${length} bytes; lines over ${limit} bytes are not checked (for images, use http(s) URLs instead of inline data URLs)`,
      });
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
    const checker = checkerFor(parsed, line);
    rows ??= checker.rows.map((label) => new IntHistogram(label.includes('messages') ? 4096 : undefined));
    const result = checker.check(parsed, line);
    for (const issue of result.issues) add({ line, ...issue });
    if (result.images > 0) {
      imageExamples++;
      if (textOnly) {
        add({ line, code: 'images_not_supported', message: `${model.id} fine-tunes on text only; image input is supported by ${visionModels().join(', ')}` });
      }
    }
    if (result.values && result.limited !== undefined) {
      measuredExamples++;
      result.values.forEach((value, i) => rows![i]!.add(value));
      totals.add(result.billed ?? result.limited);
      assistant.add(result.trained ?? 0);
      messages.add(result.values[result.values.length - 1]!);
      if (result.limited > model.maxExampleTokens) {
        tooLong++;
        add({
          line,
          code: 'too_many_tokens',
          message: `example has ${result.limited} tokens${checker.limitNote}; ${model.id} trains on at most ${model.maxExampleTokens} per example`,
        });
      }
    }
  };

  /** The method's checker, chosen (and the method detected, if not given) at the first parsed line. */
  const checkerFor = (parsed: unknown, line: number): LineChecker => {
    if (!context.checker) {
      const shaped = detectMethod(parsed, context.grader !== undefined, context.entry);
      if (!context.method) context.method = shaped;
      else if ((context.method === 'dpo') !== (shaped === 'dpo')) {
        add({
          line,
          code: 'method_mismatch',
          message: looksLikePreference(parsed)
            ? `the method is ${context.method} but this line is a preference pair (input, preferred_output, non_preferred_output): say method dpo`
            : `the method is dpo but this line is not a preference pair (input, preferred_output, non_preferred_output)`,
        });
      }
      context.checker = lineChecker(context.method, context.counter, context.grader?.report.itemPaths ?? []);
    }
    return context.checker;
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
    return { totals, report: fileReport({ role, path: file.path, bytes: file.size, sha256: '', examples: 0, validExamples: 0, measuredExamples: 0, errors, warnings, totals, assistant, messages, tooLong: 0, notes: ['not read: the file is over the size limit'], seen, statistics: [], imageExamples: 0 }) };
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

  if (imageExamples > MAX_IMAGE_EXAMPLES_PER_FILE) {
    // learn.microsoft.com/azure/foundry/openai/how-to/fine-tuning-vision: "Max examples with images per training file: 50,000".
    add({ line: null, code: 'too_many_image_examples', message: `${imageExamples} examples have images; Azure accepts at most ${MAX_IMAGE_EXAMPLES_PER_FILE} per file` });
  }
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

  return { totals, report: fileReport({ role, path: file.path, bytes, sha256: sha256.digest('hex'), examples, validExamples, measuredExamples, errors, warnings, totals, assistant, messages, tooLong, notes, seen, statistics: (context.checker?.rows ?? []).map((label, i) => ({ label, summary: (rows?.[i] ?? new IntHistogram(1)).summary() })), imageExamples }) };
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
  statistics: FileReport['statistics'];
  imageExamples: number;
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
    statistics: f.statistics,
    imageExamples: f.imageExamples,
    tooLong: f.tooLong,
    duplicateCheck: {
      distinct: f.seen.size,
      falseDuplicateBound: falseDuplicateBound(f.seen.size + f.seen.notRemembered),
      notRemembered: f.seen.notRemembered,
    },
    notes: f.notes,
  };
}
