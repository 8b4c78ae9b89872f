/**
 * The route table. Data-plane routes are declared once and served under both `/openai/...`
 * (where `api-version` is required) and `/openai/v1/...` (the v1 API, where it is not).
 */
import { chatCompletions } from './chat.js';
import { deleteDeployment, getDeployment, getOperationStatus, listDeployments, putDeployment } from './deployments.js';
import { deleteFile, fileContent, importFile, listFiles, retrieveFile, uploadFile } from './files.js';
import type { Handler } from './http.js';
import { cancelJob, createJob, deleteJob, listCheckpoints, listEvents, listJobs, pauseJob, resumeJob, retrieveJob } from './jobs.js';
import { getModel, listModels } from './models.js';

export type Plane = 'data' | 'arm';

export interface Route {
  method: string;
  plane: Plane;
  /** Whether the `api-version` query parameter must be present. */
  apiVersionRequired: boolean;
  /** The handler reads the body from `ctx.stream` (uploads) instead of a buffered `ctx.body`. */
  streamsBody?: boolean;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function compile(path: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        keys.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  // ARM treats path literals case-insensitively (resourceGroups vs resourcegroups); so do we.
  return { pattern: new RegExp(`^${source}/?$`, 'i'), keys };
}

function route(method: string, plane: Plane, path: string, handler: Handler, apiVersionRequired = true, streamsBody = false): Route {
  return { method, plane, apiVersionRequired, handler, ...(streamsBody ? { streamsBody } : {}), ...compile(path) };
}

/** A data-plane route under both API surfaces. */
function data(method: string, path: string, handler: Handler, streamsBody = false): Route[] {
  return [route(method, 'data', `/openai${path}`, handler, true, streamsBody), route(method, 'data', `/openai/v1${path}`, handler, false, streamsBody)];
}

const ACCOUNT = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroup/providers/Microsoft.CognitiveServices/accounts/:account';

export const ROUTES: readonly Route[] = [
  ...data('POST', '/files', uploadFile, true),
  ...data('POST', '/files/import', importFile),
  ...data('GET', '/files', listFiles),
  ...data('GET', '/files/:fileId', retrieveFile),
  ...data('DELETE', '/files/:fileId', deleteFile),
  ...data('GET', '/files/:fileId/content', fileContent),
  ...data('POST', '/fine_tuning/jobs', createJob),
  ...data('GET', '/fine_tuning/jobs', listJobs),
  ...data('GET', '/fine_tuning/jobs/:jobId', retrieveJob),
  ...data('POST', '/fine_tuning/jobs/:jobId/cancel', cancelJob),
  ...data('GET', '/fine_tuning/jobs/:jobId/events', listEvents),
  ...data('GET', '/fine_tuning/jobs/:jobId/checkpoints', listCheckpoints),
  ...data('POST', '/fine_tuning/jobs/:jobId/pause', pauseJob),
  ...data('POST', '/fine_tuning/jobs/:jobId/resume', resumeJob),
  ...data('DELETE', '/fine_tuning/jobs/:jobId', deleteJob),
  ...data('GET', '/models', listModels),
  ...data('GET', '/models/:modelId', getModel),
  route('POST', 'data', '/openai/deployments/:deployment/chat/completions', chatCompletions),
  route('POST', 'data', '/openai/v1/chat/completions', chatCompletions, false),
  route('GET', 'arm', `${ACCOUNT}/deployments`, listDeployments),
  route('GET', 'arm', `${ACCOUNT}/deployments/:deployment`, getDeployment),
  route('PUT', 'arm', `${ACCOUNT}/deployments/:deployment`, putDeployment),
  route('DELETE', 'arm', `${ACCOUNT}/deployments/:deployment`, deleteDeployment),
  route('GET', 'arm', '/subscriptions/:subscriptionId/providers/Microsoft.CognitiveServices/locations/:location/operationStatuses/:operationId', getOperationStatus),
];

export function planeOf(pathname: string): Plane | null {
  if (/^\/openai(\/|$)/i.test(pathname)) return 'data';
  if (/^\/subscriptions\//i.test(pathname)) return 'arm';
  return null;
}

/** The route for a request, or null when no route matches its method and path. */
export function matchRoute(method: string, pathname: string): RouteMatch | null {
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    candidate.keys.forEach((key, i) => (params[key] = decodeURIComponent(match[i + 1] ?? '')));
    return { route: candidate, params };
  }
  return null;
}
