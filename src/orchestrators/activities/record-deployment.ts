import * as df from 'durable-functions';
import { recordDeployment, type DeploymentRecord } from '../../runs/deployment-registry.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const RECORD_DEPLOYMENT = 'recordDeployment';

/** Points the alias (dataset name) and the deployment name at the new model, for the chat endpoint. */
df.app.activity(RECORD_DEPLOYMENT, {
  handler: (record: DeploymentRecord) =>
    runActivity(async () => {
      await recordDeployment(getServices().storage.runs, record);
      return null;
    }),
});
