import * as df from 'durable-functions';
import { isNotFound } from '../../azure/service-errors.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const DELETE_FILES = 'deleteFiles';

/** Deletes uploaded files (a resource holds at most 50); one already gone counts as deleted. */
df.app.activity(DELETE_FILES, {
  handler: (fileIds: string[]) =>
    runActivity(async () => {
      const { openai } = getServices();
      for (const id of fileIds) {
        try {
          await openai.files.delete(id);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return null;
    }),
});
