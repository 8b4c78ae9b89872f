import * as df from 'durable-functions';
import { runActivity } from '../activity-result.js';
import { getServices } from '../services.js';

export const FILE_STATUS = 'fileStatus';
export interface FileStatus {
  status: string;
  statusDetails?: string;
}

/** The processing status of an uploaded file (`pending`, `processed`, `error` with details). */
df.app.activity(FILE_STATUS, {
  handler: (fileId: string) =>
    runActivity(async (): Promise<FileStatus> => {
      const file = await getServices().openai.files.retrieve(fileId);
      return { status: file.status, ...(file.status_details ? { statusDetails: file.status_details } : {}) };
    }),
});
