import Module from 'node:module';
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './core-types.js';

/** One function the app registered: what the worker learns through `registerFunction`. */
export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

/** Everything the app told the (pretend) worker while it was being loaded. */
export interface FunctionsCoreRegistry {
  functions: Map<string, RegisteredFunction>;
  hooks: Map<string, HookCallback[]>;
  programmingModel: ProgrammingModel | undefined;
  /** Receives `coreApi.log` calls made outside an invocation (library system logs). */
  systemLog: (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;
}

const moduleName = '@azure/functions-core';
// A key that can never collide with a real file: resolution of '@azure/functions-core' returns it,
// and the CommonJS cache entry under it holds our exports.
const virtualModuleId = '\0dev-host:@azure/functions-core';

class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  #callOnDispose: (() => unknown) | undefined;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  dispose(): unknown {
    const call = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return call?.();
  }
}

let registry: FunctionsCoreRegistry | undefined;

/**
 * Makes `require('@azure/functions-core')` resolve, in this process, to a module with the worker's
 * API, the way the Azure Functions Node.js worker does before it loads an app. `@azure/functions` is
 * CommonJS and looks the module up lazily, so this must run before the app's entry is imported.
 * A process has one app (module caches make re-loading impossible), so the registry is a singleton.
 */
export function installFunctionsCore(): FunctionsCoreRegistry {
  if (registry) return registry;
  const created: FunctionsCoreRegistry = {
    functions: new Map(),
    hooks: new Map(),
    programmingModel: undefined,
    systemLog: () => undefined,
  };
  const coreApi = {
    version: '4.0.0-dev-host',
    hostVersion: '4.1000.0-dev-host',
    Disposable,
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
      if (created.functions.has(metadata.name)) {
        throw new Error(`A function named "${metadata.name}" is already registered.`);
      }
      created.functions.set(metadata.name, { metadata, callback });
      return new Disposable(() => created.functions.delete(metadata.name));
    },
    registerHook(hookName: string, callback: HookCallback): Disposable {
      const list = created.hooks.get(hookName) ?? [];
      list.push(callback);
      created.hooks.set(hookName, list);
      return new Disposable(() => list.splice(list.indexOf(callback), 1));
    },
    setProgrammingModel(model: ProgrammingModel): void {
      created.programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return created.programmingModel;
    },
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
      created.systemLog(level, category, message);
    },
  };

  const cjs = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
  };
  const entry = new Module(virtualModuleId);
  entry.exports = coreApi;
  entry.loaded = true;
  cjs._cache[virtualModuleId] = entry;
  const originalResolve = cjs._resolveFilename;
  cjs._resolveFilename = function resolveFunctionsCore(request: string, ...rest: unknown[]): string {
    if (request === moduleName) return virtualModuleId;
    return originalResolve.call(this, request, ...rest);
  };
  registry = created;
  return created;
}
