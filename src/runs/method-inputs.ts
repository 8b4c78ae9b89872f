/**
 * What the drop zone says about a run's fine-tuning method: `method.type` of the options
 * (`supervised` when absent, as the job API defaults) and, for reinforcement fine-tuning, the
 * grader file `<name>.grader.json`. Intake hands both to the validator so that a method/model pair
 * Azure refuses, a malformed grader or data of the wrong shape is rejected before any upload.
 */
import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { RestError } from '@azure/storage-blob';
import { isFineTuningMethod, type FineTuningMethod, type ValidateOptions } from '../validation/index.js';
import { GRADER_SUFFIX, OPTIONS_SUFFIX } from '../intake/drop-name.js';

/** Graders are small JSON documents: Azure caps a python grader's source at 256 kB. */
export const MAX_GRADER_BYTES = 1024 * 1024;

export interface GraderBlob {
  name: string;
  etag: string;
  bytes: number;
  sha256: string;
  url: string;
}

export interface MethodInputs {
  method: FineTuningMethod;
  grader?: GraderBlob;
  /** Options for `validateDataset`: the method, the grader's text and the training type. */
  validate: Pick<ValidateOptions, 'method' | 'grader' | 'trainingType'>;
}

/**
 * The `method` object of the run options: from the parsed options and, while the options parser
 * does not know `method` yet (it reports the key), from the options text itself, so the data is
 * still checked for the method the user meant.
 */
function methodObject(options: unknown, optionsText: string | undefined): Record<string, unknown> | undefined {
  const of = (o: unknown): Record<string, unknown> | undefined => {
    const method = typeof o === 'object' && o !== null ? (o as { method?: unknown }).method : undefined;
    return typeof method === 'object' && method !== null && !Array.isArray(method) ? (method as Record<string, unknown>) : undefined;
  };
  const parsed = of(options);
  if (parsed || optionsText === undefined) return parsed;
  try {
    return of(JSON.parse(optionsText.replace(/^\uFEFF/, '')));
  } catch {
    return undefined;
  }
}

/** `method.type` of the run options; `supervised` when absent (the job API's default). */
export function methodOf(options: unknown, optionsText: string | undefined): FineTuningMethod {
  const type = methodObject(options, optionsText)?.['type'];
  return isFineTuningMethod(type) ? type : 'supervised';
}

/** `<name>.grader.json` as read from the drop zone. */
export interface GraderFile extends GraderBlob {
  text: string;
  /** Why it cannot be used as it is (too large to read). */
  problem?: string;
  /** The grader object, when the text is a JSON object (the validator says what else is wrong). */
  object?: Record<string, unknown>;
}

/** Reads `<dataset>.grader.json`, pinned to the ETag it was read at; undefined when there is none. */
export async function readGraderFile(datasets: ContainerClient, dataset: string): Promise<GraderFile | undefined> {
  const name = `${dataset}${GRADER_SUFFIX}`;
  const blob = datasets.getBlobClient(name);
  try {
    const properties = await blob.getProperties();
    const bytes = properties.contentLength ?? 0;
    const etag = properties.etag ?? '';
    if (bytes > MAX_GRADER_BYTES) {
      // Not downloaded: reported as the grader's first error. The ETag stands for the content in the run id.
      return { name, etag, bytes, url: blob.url, sha256: createHash('sha256').update(etag).digest('hex'), text: '{}', problem: `the grader file is ${bytes} bytes; at most ${MAX_GRADER_BYTES} are read` };
    }
    const content = await blob.downloadToBuffer(0, undefined, { conditions: { ifMatch: etag } });
    const text = content.toString('utf8');
    let object: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) object = parsed as Record<string, unknown>;
    } catch {
      // reported by the validator
    }
    return { name, etag, bytes, url: blob.url, sha256: createHash('sha256').update(content).digest('hex'), text, ...(object ? { object } : {}) };
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
}

/** The method, the grader (file, or inline method.grader) and the validator's options for them. */
export function methodInputs(
  dataset: string,
  options: { trainingType?: string } | undefined,
  optionsText: string | undefined,
  grader: GraderFile | undefined,
): MethodInputs {
  const method = methodOf(options, optionsText);
  // A grader may also be given inline as the options' method.grader; the file is the documented place.
  // Read from the options text: parsed options may carry the grader file's object already.
  const inline = methodObject(undefined, optionsText)?.['grader'];
  return {
    method,
    ...(grader ? { grader: { name: grader.name, etag: grader.etag, bytes: grader.bytes, sha256: grader.sha256, url: grader.url } } : {}),
    validate: {
      method,
      ...(grader
        ? {
            grader: {
              path: grader.name,
              text: grader.text,
              ...(grader.problem ? { problem: grader.problem } : inline !== undefined ? { problem: `the grader is given twice, as ${grader.name} and as method.grader in the options; keep one` } : {}),
            },
          }
        : inline !== undefined
          ? { grader: { path: `${dataset}${OPTIONS_SUFFIX} (method.grader)`, text: JSON.stringify(inline) } }
          : {}),
      ...(options?.trainingType ? { trainingType: options.trainingType } : {}),
    },
  };
}

/** Reads the method and, when there is one, the grader file. */
export async function readMethodInputs(
  datasets: ContainerClient,
  dataset: string,
  options: { trainingType?: string } | undefined,
  optionsText: string | undefined,
): Promise<MethodInputs> {
  return methodInputs(dataset, options, optionsText, await readGraderFile(datasets, dataset));
}
