/**
 * The app's single entry point (package.json `main`): the Azure Functions host — and dev/host
 * locally — loads this file, and every function module registers itself when imported here.
 */
import { app } from '@azure/functions';

// Chat completions stream tokens to the client as they arrive (server-sent events).
app.setup({ enableHttpStream: true });

import './functions/startup-check.js';
import './functions/health.js';
import './functions/chat-completions.js';
import './functions/dataset-dropped.js';
import './functions/intake-sweep.js';
import './functions/reconcile-drops.js';
import './functions/runs-api.js';
import './functions/datasets-api.js';
import './functions/models-api.js';
import './functions/console.js';
import './orchestrators/activities/record-run.js';
import './orchestrators/activities/upload-file.js';
import './orchestrators/activities/file-status.js';
import './orchestrators/activities/create-job.js';
import './orchestrators/activities/job-status.js';
import './orchestrators/activities/cancel-job.js';
import './orchestrators/activities/fetch-results.js';
import './orchestrators/activities/deploy-model.js';
import './orchestrators/activities/deployment-status.js';
import './orchestrators/activities/smoke-test.js';
import './orchestrators/activities/delete-files.js';
import './orchestrators/activities/record-deployment.js';
import './orchestrators/activities/notify.js';
import './orchestrators/fine-tune-pipeline.js';
