/**
 * `POST /api/datasets`: upload a dataset through the app, which writes it into the drop zone with
 * its own identity — so a browser or the CLI needs a function key, not storage credentials.
 * `multipart/form-data` with `name` and the files `training` (required), `validation`, `eval` and
 * `options`. Companions are written first and the training file last, because the training file's
 * arrival is what starts the run (the drop zone's convention).
 */
import { createHash } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getServices } from '../services.js';
import { datasetNameProblem } from '../runs/dataset-name.js';
import { classifyDropName, EVAL_SUFFIX, OPTIONS_SUFFIX, TRAINING_SUFFIX, VALIDATION_SUFFIX } from '../intake/drop-name.js';

const FIELDS = ['training', 'validation', 'eval', 'options'] as const;
type Field = (typeof FIELDS)[number];
const SUFFIX: Record<Field, string> = { training: TRAINING_SUFFIX, validation: VALIDATION_SUFFIX, eval: EVAL_SUFFIX, options: OPTIONS_SUFFIX };
const CONTENT_TYPE: Record<Field, string> = { training: 'application/jsonl', validation: 'application/jsonl', eval: 'application/jsonl', options: 'application/json' };

function problem(status: number, code: string, message: string): HttpResponseInit {
  return { status, jsonBody: { error: { code, message } } };
}

export async function uploadDataset(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  if (!/^multipart\/form-data/i.test(request.headers.get('content-type') ?? '')) {
    return problem(415, 'unsupported_media_type', 'send multipart/form-data with a name field and a training file (and optionally validation, eval, options)');
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch (error) {
    return problem(400, 'bad_form', `the form could not be read: ${(error as Error).message}`);
  }
  const fileOf = (field: Field): File | undefined => {
    const value = form.get(field);
    return typeof value === 'object' && value !== null ? (value as File) : undefined;
  };
  const training = fileOf('training');
  const name = String(form.get('name') ?? (training?.name ?? '').replace(/\.jsonl$/i, '')).trim();
  if (!training) return problem(400, 'missing_training', "the form has no 'training' file");
  const nameProblem = datasetNameProblem(name);
  if (nameProblem) return problem(400, 'bad_name', nameProblem);
  const unknown = [...new Set(form.keys())].filter((k) => k !== 'name' && !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) return problem(400, 'unknown_field', `unknown form field(s): ${unknown.join(', ')}; expected name, ${FIELDS.join(', ')}`);
  // Every file must land where the intake reads it as this dataset's file (never as a new training file).
  for (const role of FIELDS) {
    const drop = classifyDropName(`${name}${SUFFIX[role]}`);
    const expected = role === 'training' ? drop.kind === 'training' : drop.kind === 'companion' && drop.role === role;
    if (fileOf(role) && (!expected || !('dataset' in drop) || drop.dataset !== name)) {
      return problem(400, 'bad_name', `'${name}${SUFFIX[role]}' would not be read as the ${role} file of '${name}'`);
    }
  }

  const datasets = getServices().storage.datasets;
  await datasets.createIfNotExists();
  const written: Array<{ role: Field; blob: string; bytes: number; sha256: string }> = [];
  for (const role of ['options', 'validation', 'eval', 'training'] as const) {
    const file = fileOf(role);
    if (!file) continue;
    const bytes = Buffer.from(await file.arrayBuffer());
    const blob = `${name}${SUFFIX[role]}`;
    await datasets.getBlockBlobClient(blob).uploadData(bytes, { blobHTTPHeaders: { blobContentType: CONTENT_TYPE[role] } });
    written.push({ role, blob, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  context.log(`dataset ${name}: uploaded ${written.map((w) => `${w.blob} (${w.bytes} bytes)`).join(', ')}.`);
  return {
    status: 202,
    jsonBody: {
      dataset: name,
      container: datasets.containerName,
      files: written,
      // The run id is decided by the blob trigger from the bytes; find the run by dataset and training hash.
      runs: `/api/runs?dataset=${encodeURIComponent(name)}`,
    },
  };
}

app.http('uploadDataset', { route: 'datasets', methods: ['POST'], authLevel: 'function', handler: uploadDataset });
