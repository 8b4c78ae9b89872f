/**
 * Files: multipart upload, get, list, delete, content. Uploaded fine-tuning files are checked by
 * the same streaming validator the pipeline uses (src/validation); a file that is not valid
 * chat-format JSONL ends in status `error` with the findings in `status_details`, as Azure does.
 */
import { validateDataset, type Finding } from '../../src/validation/index.js';
import { invalidPayload, notFound } from './errors.js';
import { json, paginate, type RequestContext, type Reply } from './http.js';
import { unixSeconds, type EmulatorState, type StoredFile } from './state.js';

const UPLOAD_PURPOSES = ['fine-tune', 'fine-tune-results', 'assistants', 'assistants_output', 'batch'];
/** Findings that say something about the whole training set, not about the file's format. */
const NOT_FORMAT_ERRORS = new Set(['too_few_examples', 'too_many_tokens']);
const MAX_DETAILS = 5;

/** A stored file as the validator's byte source. */
export async function* byteSource(content: Buffer): AsyncIterable<Buffer> {
  yield content;
}

export function fileObject(file: StoredFile): Record<string, unknown> {
  return {
    object: 'file',
    id: file.id,
    purpose: file.purpose,
    filename: file.filename,
    bytes: file.content.length,
    created_at: unixSeconds(file.createdAt),
    status: file.status,
    ...(file.status === 'error' && file.outcome ? { status_details: file.outcome } : {}),
  };
}

/** Applies processing results that became due. */
export function advanceFiles(state: EmulatorState, now: number): void {
  for (const file of state.files.values()) {
    if (file.status === 'pending' && file.readyAt <= now) file.status = file.outcome === null ? 'processed' : 'error';
  }
}

export function getFile(state: EmulatorState, id: string): StoredFile {
  const file = state.files.get(id);
  if (!file) throw notFound(`File with id '${id}' could not be found.`);
  return file;
}

/** Stores a file the service itself produced (results.csv): processed at once. */
export function addGeneratedFile(state: EmulatorState, filename: string, purpose: string, content: Buffer, at: number): StoredFile {
  const file: StoredFile = { id: `file-${state.ids.hex(32)}`, filename, purpose, content, createdAt: at, status: 'processed', readyAt: at, outcome: null };
  state.files.set(file.id, file);
  return file;
}

export async function uploadFile(ctx: RequestContext): Promise<Reply> {
  const contentType = ctx.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw invalidPayload(`Expected a multipart/form-data body with the fields 'purpose' and 'file', got content type '${contentType}'.`);
  }
  let form: FormData;
  try {
    // The WHATWG Request parser handles multipart bodies; no extra dependency is needed.
    form = await new Request('http://emulator.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: ctx.body }).formData();
  } catch (error) {
    throw invalidPayload(`The multipart body could not be parsed: ${(error as Error).message}`);
  }
  const purpose = form.get('purpose');
  if (typeof purpose !== 'string' || purpose === '') throw invalidPayload("The 'purpose' field is required.", 'purpose');
  if (!UPLOAD_PURPOSES.includes(purpose)) {
    throw invalidPayload(`Invalid value '${purpose}' for 'purpose'; supported values: ${UPLOAD_PURPOSES.join(', ')}.`, 'purpose');
  }
  const upload = form.get('file');
  if (upload === null || typeof upload === 'string') throw invalidPayload("The 'file' field is required and must be a file.", 'file');
  const content = Buffer.from(await upload.arrayBuffer());
  const filename = upload.name || 'file';
  const { state, now } = ctx;

  const injected = state.takeFault('failNextFile');
  const outcome = injected ? injected.message : purpose === 'fine-tune' ? await formatProblems(content, filename) : null;
  const file: StoredFile = {
    id: `file-${state.ids.hex(32)}`,
    filename,
    purpose,
    content,
    createdAt: now,
    status: 'pending',
    readyAt: now + state.config.fileProcessingSeconds * 1000,
    outcome,
  };
  state.files.set(file.id, file);
  advanceFiles(state, now);
  return json(201, fileObject(file), { location: `${ctx.origin}${ctx.url.pathname}/${file.id}` });
}

/** Null when the file is valid chat-format JSONL, else the status details Azure would give. */
async function formatProblems(content: Buffer, filename: string): Promise<string | null> {
  const report = await validateDataset({ source: byteSource(content), path: filename }, undefined);
  const [file] = report.files;
  const errors = (file?.errors ?? []).filter((f) => !NOT_FORMAT_ERRORS.has(f.code));
  if (errors.length === 0) return null;
  const total = (file?.errorCount ?? errors.length) - ((file?.errors.length ?? 0) - errors.length);
  const listed = errors.slice(0, MAX_DETAILS).map(describe).join('; ');
  const more = total > MAX_DETAILS ? `; and ${total - MAX_DETAILS} more` : '';
  return `Validation of jsonl file failed: ${listed}${more}.`;
}

function describe(finding: Finding): string {
  return finding.line === null ? finding.message : `line ${finding.line}: ${finding.message}`;
}

export function retrieveFile(ctx: RequestContext): Reply {
  return json(200, fileObject(getFile(ctx.state, ctx.params['fileId'] ?? '')));
}

export function listFiles(ctx: RequestContext): Reply {
  const purpose = ctx.url.searchParams.get('purpose');
  const order = ctx.url.searchParams.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalidPayload(`Invalid value '${order}' for 'order'; expected asc or desc.`, 'order');
  const files = [...ctx.state.files.values()].filter((f) => !purpose || f.purpose === purpose).map(fileObject);
  if (order === 'desc') files.reverse();
  const page = paginate(files as (Record<string, unknown> & { id: string })[], ctx.url.searchParams, 10_000);
  return json(200, { object: 'list', data: page.data, has_more: page.has_more });
}

export function deleteFile(ctx: RequestContext): Reply {
  const file = getFile(ctx.state, ctx.params['fileId'] ?? '');
  ctx.state.files.delete(file.id);
  return json(200, { object: 'file', id: file.id, deleted: true });
}

export function fileContent(ctx: RequestContext): Reply {
  const file = getFile(ctx.state, ctx.params['fileId'] ?? '');
  const contentType = file.filename.endsWith('.csv') ? 'text/csv' : 'application/octet-stream';
  return { status: 200, bytes: file.content, contentType };
}
