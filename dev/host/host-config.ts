import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveAppSettings } from './binding-expressions.js';

/** The parts of host.json dev/host honours. */
export interface HostConfig {
  routePrefix: string;
  hubName: string;
  /** Why the configured hub name could not be used (an unset %SETTING%), if so. */
  hubNameProblem?: string;
}

interface HostJson {
  extensions?: { http?: { routePrefix?: string }; durableTask?: { hubName?: string } };
}

/** Reads host.json from the app root; a missing file means the host's defaults. */
export function readHostConfig(appRoot: string): HostConfig {
  let json: HostJson = {};
  try {
    json = JSON.parse(readFileSync(path.join(appRoot, 'host.json'), 'utf8')) as HostJson;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`host.json in ${appRoot} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const prefix = json.extensions?.http?.routePrefix ?? 'api';
  const hub = json.extensions?.durableTask?.hubName ?? 'TestHubName';
  const routePrefix = prefix.replace(/^\/+|\/+$/g, '');
  try {
    return { routePrefix, hubName: resolveAppSettings(hub) || 'TestHubName' };
  } catch (error) {
    // Locally an unset hub setting is not fatal: fall back to the extension's default name.
    return { routePrefix, hubName: 'TestHubName', hubNameProblem: (error as Error).message };
  }
}
