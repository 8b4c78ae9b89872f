/**
 * App-wide set-up, loaded by the Functions host (and dev/host) as one of the entry points that
 * package.json `main` matches: `dist/src/{index.js,functions/**\/*.js,orchestrators/**\/*.js}`.
 * The Node.js worker loads every file that glob matches, so each function file registers itself
 * when loaded: a new function is a new file under src/functions/ (triggers) or src/orchestrators/
 * (orchestrators and activities) — there is no import list to keep, and none to forget.
 */
import { app } from '@azure/functions';

// Chat completions stream tokens to the client as they arrive (server-sent events).
app.setup({ enableHttpStream: true });
