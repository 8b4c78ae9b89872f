import * as df from 'durable-functions';
import { toStreamingFile } from 'openai';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const UPLOAD_FILE = 'uploadFile';
export interface UploadFileInput {
  runId: string;
  role: 'training' | 'validation';
  /** Blob name of the input snapshot in the runs container. */
  snapshot: string;
}

/**
 * Uploads a snapshot to Azure OpenAI as a fine-tune file, streaming it from blob storage. Idempotent: the file is named after the
 * run and role, and a retried activity reuses a file it already uploaded instead of adding another
 * (a resource holds at most 50 files).
 */
df.app.activity(UPLOAD_FILE, {
  handler: (input: UploadFileInput) =>
    runActivity(async () => {
      const { openai, storage } = getServices();
      const filename = `${input.runId}.${input.role}.jsonl`;
      for await (const file of openai.files.list({ purpose: 'fine-tune' })) {
        if (file.filename === filename && file.status !== 'error') return file.id;
      }
      const download = await storage.runs.getBlobClient(input.snapshot).download();
      if (!download.readableStreamBody) throw new Error(`snapshot ${input.snapshot} has no content`);
      // Streamed from the blob into the multipart body: memory stays flat however big the file is.
      const file = toStreamingFile(download.readableStreamBody as NodeJS.ReadableStream & AsyncIterable<Uint8Array>, filename, { type: 'application/jsonl' });
      // No SDK retry: the streamed body cannot be sent twice, and a retry inside the call would skip
      // the look-up above (a file whose answer was lost would be uploaded again). The durable retry
      // of the activity looks first.
      const created = await openai.files.create({ file, purpose: 'fine-tune' }, { maxRetries: 0 });
      return created.id;
    }),
});
