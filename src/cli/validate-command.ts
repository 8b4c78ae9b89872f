import { open, type FileHandle } from 'node:fs/promises';
import { SingleBar, Presets } from 'cli-progress';
import {
  DEFAULT_MAX_ERRORS,
  renderMarkdown,
  validateDataset,
  type DatasetFile,
  type EncodingName,
  type FileRole,
  type ValidationReport,
} from '../validation/index.js';
import { UsageError } from './usage-error.js';

export interface ValidateCommandOptions {
  validation?: string;
  model?: string;
  encoding?: EncodingName;
  maxExampleTokens?: number;
  epochs?: number;
  maxErrors?: number;
  json?: boolean;
}

/** Files smaller than this validate in well under a second: no progress bar for them. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** Runs `ftpipe validate`; returns the process exit status (0 valid, 1 invalid). */
export async function runValidate(trainingPath: string, options: ValidateCommandOptions): Promise<number> {
  const handles: FileHandle[] = [];
  try {
    const training = await openDataset(trainingPath, 'training', handles);
    const validation = options.validation ? await openDataset(options.validation, 'validation', handles) : undefined;
    const progress = startProgress(training.size, validation?.size ?? 0);
    let report: ValidationReport;
    try {
      report = await validateDataset(training.file, validation?.file, {
        ...(options.model ? { model: options.model } : {}),
        ...(options.encoding ? { encoding: options.encoding } : {}),
        ...(options.maxExampleTokens ? { maxExampleTokens: options.maxExampleTokens } : {}),
        ...(options.epochs ? { epochs: options.epochs } : {}),
        maxErrors: options.maxErrors ?? DEFAULT_MAX_ERRORS,
        onProgress: (role, bytes) => progress?.update(role, bytes),
      });
    } finally {
      progress?.stop();
    }
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report));
    return report.valid ? 0 : 1;
  } finally {
    await Promise.all(handles.map((h) => h.close()));
  }
}

async function openDataset(path: string, role: FileRole, handles: FileHandle[]): Promise<{ file: DatasetFile; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new UsageError(`cannot read ${role} file '${path}': ${describe(error)}`);
  }
  handles.push(handle);
  const stat = await handle.stat();
  if (!stat.isFile()) throw new UsageError(`cannot read ${role} file '${path}': not a regular file`);
  const stream = handle.createReadStream({ autoClose: false, highWaterMark: 1024 * 1024 });
  return { file: { source: readOrExplain(stream, role, path), path, size: stat.size }, size: stat.size };
}

/** Turns a read failure half-way through a file into a usage error that names the file. */
async function* readOrExplain(source: AsyncIterable<Buffer>, role: FileRole, path: string): AsyncGenerator<Buffer> {
  try {
    yield* source;
  } catch (error) {
    throw new UsageError(`cannot read ${role} file '${path}': ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'EISDIR') return 'is a directory';
  return e.message ?? String(error);
}

interface Progress {
  update(role: FileRole, bytes: number): void;
  stop(): void;
}

/** A progress bar on stderr, only for an interactive terminal and a file big enough to wait for. */
function startProgress(trainingBytes: number, validationBytes: number): Progress | undefined {
  const total = trainingBytes + validationBytes;
  if (!process.stderr.isTTY || total < PROGRESS_MIN_BYTES) return undefined;
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: 'validating {role} {bar} {percentage}% | {value}/{total} MB | ETA {eta}s',
      formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? (value / 1e6).toFixed(0) : String(value)),
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { role: 'training' });
  return {
    update: (role, bytes) => bar.update((role === 'validation' ? trainingBytes : 0) + bytes, { role }),
    stop: () => bar.stop(),
  };
}
