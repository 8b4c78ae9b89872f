import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveAppSettings } from './binding-expressions.js';

/** The parts of host.json dev/host honours. */
export interface HostConfig {
  routePrefix: string;
  hubName: string;
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
  return {
    routePrefix: prefix.replace(/^\/+|\/+$/g, ''),
    // %SETTING% hub names resolve from the environment; an unset one falls back like the extension's default.
    hubName: safeResolve(hub) || 'TestHubName',
  };
}

function safeResolve(value: string): string {
  try {
    return resolveAppSettings(value);
  } catch {
    return '';
  }
}
