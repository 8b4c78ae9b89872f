/**
 * The app's single entry point (package.json `main`): the Azure Functions host — and dev/host
 * locally — loads this file, and every function module registers itself when imported here.
 */
import { app } from '@azure/functions';

// Chat completions stream tokens to the client as they arrive (server-sent events).
app.setup({ enableHttpStream: true });

import './functions/chat-completions.js';
import './functions/health.js';
