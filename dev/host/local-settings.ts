import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HostKeys } from './auth.js';

export interface LocalSettings {
  /** The file read (local.settings.json, or the sample when there is none). */
  file: string;
  usedSample: boolean;
  values: Record<string, string>;
  port: number | undefined;
  keys: HostKeys;
}

interface LocalSettingsJson {
  IsEncrypted?: boolean;
  Values?: Record<string, unknown>;
  Host?: { LocalHttpPort?: unknown; MasterKey?: unknown; FunctionKeys?: unknown };
}

/**
 * Reads `local.settings.json` as `func start` does (falling back to `local.settings.sample.json`).
 * Keys are a dev/host addition under `Host`: `MasterKey` and `FunctionKeys` (array); without them
 * every route is open, as under Core Tools.
 */
export function readLocalSettings(projectDir: string): LocalSettings | undefined {
  const real = path.join(projectDir, 'local.settings.json');
  const sample = path.join(projectDir, 'local.settings.sample.json');
  const file = existsSync(real) ? real : existsSync(sample) ? sample : undefined;
  if (!file) return undefined;
  let json: LocalSettingsJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as LocalSettingsJson;
  } catch (error) {
    throw new Error(`${path.basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
  if (json.IsEncrypted) throw new Error(`${path.basename(file)} is encrypted; dev/host reads only plain settings ("IsEncrypted": false).`);
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(json.Values ?? {})) {
    if (typeof value !== 'string') {
      throw new Error(`${path.basename(file)}: Values.${name} must be a string (got ${JSON.stringify(value)}).`);
    }
    values[name] = value;
  }
  const host = json.Host ?? {};
  const port = host.LocalHttpPort === undefined ? undefined : Number(host.LocalHttpPort);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
    throw new Error(`${path.basename(file)}: Host.LocalHttpPort must be a port number (got ${JSON.stringify(host.LocalHttpPort)}).`);
  }
  const functionKeys = Array.isArray(host.FunctionKeys) ? host.FunctionKeys.map(String) : undefined;
  const keys: HostKeys = {};
  if (typeof host.MasterKey === 'string') keys.master = host.MasterKey;
  if (functionKeys) keys.function = functionKeys;
  return { file, usedSample: file === sample, values, port, keys };
}

/** Puts settings into the environment before the app loads, without overriding what is already set (like func start). */
export function applySettings(values: Record<string, string>, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(values)) {
    if (env[name] === undefined) env[name] = value;
  }
}
