import * as df from 'durable-functions';
import { runActivity } from '../activity-result.js';
import { getServices, STATUS_READ_TIMEOUT_MS } from '../../services.js';

export const FILE_STATUS = 'fileStatus';
export interface FileStatus {
  status: string;
  statusDetails?: string;
}

/** A file's processing status as the pipeline reads it. Pure. */
export function fileStatusOf(file: { status: string; status_details?: string | null }): FileStatus {
  return { status: file.status, ...(file.status_details ? { statusDetails: file.status_details } : {}) };
}

/** The processing status of an uploaded file (`pending`, `processed`, `error` with details). */
df.app.activity(FILE_STATUS, {
  handler: (fileId: string) =>
    runActivity(async (): Promise<FileStatus> => {
      return fileStatusOf(await getServices().openai.files.retrieve(fileId, { timeout: STATUS_READ_TIMEOUT_MS }));
    }),
});
