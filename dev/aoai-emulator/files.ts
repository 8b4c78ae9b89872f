/**
 * Files: multipart upload, import from a URL, get, list, delete, content. Uploaded fine-tuning
 * files are checked by the emulator's own minimal check of what the service checks
 * (file-check.ts, never the app's validator); a file that fails ends in status `error` with the
 * problems in `status_details`, as Azure does. Quotas: LIMITS in azure-facts.ts.
 */
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { LIMITS } from './azure-facts.js';
import { ApiError, invalidPayload, notFound } from './errors.js';
import { checkFineTuneFile, FileChecker, type FileCheck } from './file-check.js';
import { json, jsonBody, paginate, type RequestContext, type Reply } from './http.js';
import { unixSeconds, type EmulatorState, type StoredFile } from './state.js';

/** [spec-aoai Purpose]; `fine-tune-results`, `*_output` are the service's own (not uploadable). */
const UPLOAD_PURPOSES = ['fine-tune', 'assistants', 'batch', 'evals'];
/** Imports are fetched from loopback only: the emulator must never reach beyond the machine. */
const IMPORT_TIMEOUT_MS = 30_000;

export function fileObject(file: StoredFile): Record<string, unknown> {
  return {
    object: 'file',
    id: file.id,
    purpose: file.purpose,
    filename: file.filename,
    bytes: file.bytes,
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
  const file: StoredFile = { id: `file-${state.ids.hex(32)}`, filename, purpose, content, bytes: content.length, createdAt: at, status: 'processed', readyAt: at, outcome: null, check: null };
  state.files.set(file.id, file);
  return file;
}

/**
 * "Max Files per resource" and "Total size of all files per resource" (LIMITS). The status code
 * Azure answers with is not documented; `quotaExceeded` is the description's code for it.
 */
function checkQuota(state: EmulatorState, adding: number): void {
  const files = [...state.files.values()].filter((f) => f.purpose !== 'fine-tune-results');
  if (files.length >= LIMITS.maxFiles) {
    throw new ApiError(400, { code: 'quotaExceeded', message: `The resource already holds ${files.length} files; the limit is ${LIMITS.maxFiles}. Delete files you no longer need.` });
  }
  const total = files.reduce((n, f) => n + f.bytes, 0);
  if (total + adding > LIMITS.maxTotalFileBytes) {
    throw new ApiError(400, { code: 'quotaExceeded', message: `Adding ${adding} bytes would bring the resource's files to ${total + adding} bytes; the limit is ${LIMITS.maxTotalFileBytes} (1 GB).` });
  }
}

/** Stores an uploaded or imported file; its processing outcome applies `fileProcessingSeconds` later. */
function addUploadedFile(ctx: RequestContext, filename: string, purpose: string, content: Buffer, checked?: FileCheck): StoredFile {
  const { state, now } = ctx;
  checkQuota(state, content.length);
  const injected = state.takeFault('failNextFile');
  const check = purpose === 'fine-tune' ? (checked ?? checkFineTuneFile(content)) : null;
  const file: StoredFile = {
    id: `file-${state.ids.hex(32)}`,
    filename,
    purpose,
    content,
    bytes: content.length,
    createdAt: now,
    status: 'pending',
    readyAt: now + state.config.fileProcessingSeconds * 1000,
    outcome: injected ? injected.message : (check?.problem ?? null),
    check,
  };
  state.files.set(file.id, file);
  advanceFiles(state, now);
  return file;
}

function checkPurpose(purpose: unknown): string {
  if (typeof purpose !== 'string' || purpose === '') throw invalidPayload("The 'purpose' field is required.", 'purpose');
  if (!UPLOAD_PURPOSES.includes(purpose)) {
    throw invalidPayload(`Invalid value '${purpose}' for 'purpose'; supported values: ${UPLOAD_PURPOSES.join(', ')}.`, 'purpose');
  }
  return purpose;
}

interface Upload {
  fields: Record<string, string>;
  file?: { name: string; content: Buffer; check: FileCheck };
}

/**
 * Reads a multipart upload as it streams in (busboy): the file's bytes are checked chunk by chunk
 * while they arrive, so a large upload neither waits to be whole nor blocks the emulator.
 */
function readUpload(headers: RequestContext['headers'], source: NodeJS.ReadableStream): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { files: 1, fields: 10 } });
    } catch (error) {
      reject(invalidPayload(`The multipart body could not be parsed: ${(error as Error).message}`));
      return;
    }
    const upload: Upload = { fields: {} };
    let reading: Promise<void> = Promise.resolve();
    parser.on('field', (name, value) => (upload.fields[name] = value));
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const checker = new FileChecker();
      const chunks: Buffer[] = [];
      reading = new Promise((done, fail) => {
        stream.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          checker.push(chunk);
        });
        stream.on('end', () => {
          upload.file = { name: info.filename || 'file', content: Buffer.concat(chunks), check: checker.finish() };
          done();
        });
        stream.on('error', fail);
      });
    });
    parser.on('close', () => reading.then(() => resolve(upload), reject));
    parser.on('error', (error: Error) => reject(invalidPayload(`The multipart body could not be parsed: ${error.message}`)));
    source.pipe(parser);
  });
}

export async function uploadFile(ctx: RequestContext): Promise<Reply> {
  const contentType = ctx.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw invalidPayload(`Expected a multipart/form-data body with the fields 'purpose' and 'file', got content type '${contentType}'.`);
  }
  const upload = await readUpload(ctx.headers, ctx.stream ?? Readable.from([ctx.body]));
  const purpose = checkPurpose(upload.fields['purpose']);
  if (!upload.file) throw invalidPayload("The 'file' field is required and must be a file.", 'file');
  const file = addUploadedFile(ctx, upload.file.name, purpose, upload.file.content, upload.file.check);
  return json(201, fileObject(file), { location: `${ctx.origin}${ctx.url.pathname}/${file.id}` });
}

function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** [spec-aoai Files_Import]: `{purpose, filename, content_url}` → 201 File. */
export async function importFile(ctx: RequestContext): Promise<Reply> {
  const body = jsonBody(ctx);
  const purpose = checkPurpose(body['purpose']);
  const filename = body['filename'];
  if (typeof filename !== 'string' || filename === '') throw invalidPayload("The 'filename' field is required.", 'filename');
  const contentUrl = body['content_url'];
  let url: URL;
  try {
    url = new URL(String(contentUrl));
  } catch {
    throw invalidPayload(`Invalid 'content_url' ${JSON.stringify(contentUrl)}: expected an absolute URL.`, 'content_url');
  }
  if (!/^https?:$/.test(url.protocol) || !isLoopbackUrl(url)) {
    throw invalidPayload(`The emulator imports only from loopback http(s) URLs (127.0.0.0/8, ::1, localhost); got '${url.origin}'.`, 'content_url');
  }
  let content: Buffer;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(IMPORT_TIMEOUT_MS), redirect: 'error' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    content = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new ApiError(400, { code: 'fileImportFailed', message: `Import of '${url.href}' failed: ${(error as Error).message}` });
  }
  const file = addUploadedFile(ctx, filename, purpose, content);
  return json(201, fileObject(file), { location: `${ctx.origin}/openai/files/${file.id}` });
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
  if (file.purpose === 'fine-tune-results') {
    // Result files are served base64-encoded, as OpenAI serves them (observed; its cookbook decodes
    // them). Whether Azure does the same is not documented: the app accepts plain and base64.
    return { status: 200, bytes: file.content.toString('base64'), contentType: 'application/octet-stream' };
  }
  return { status: 200, bytes: file.content, contentType: 'application/octet-stream' };
}
