import { randomUUID } from 'node:crypto';
import type { BindingData } from './binding-expressions.js';
import { readStorageInput, writeStorageOutput } from './bindings.js';
import type {
  CoreInvocationContext,
  RpcBindingInfo,
  RpcInvocationResponse,
  RpcLogLevel,
  RpcParameterBinding,
  RpcTypedData,
} from './core-types.js';
import type { FunctionsCoreRegistry, RegisteredFunction } from './functions-core.js';
import { debugOf, LogLevels, type HostLogger } from './logger.js';
import { fromTypedData } from './rpc-data.js';

export interface InvocationRequest {
  functionName: string;
  /** Why the host invokes (shown in the "Executing" line, like the real host's Reason=). */
  reason: string;
  trigger: RpcTypedData | null;
  triggerMetadata?: Record<string, RpcTypedData>;
  /** Binding data for `{expr}` in input/output binding paths. */
  bindingData?: BindingData;
  invocationId?: string;
  retryContext?: { retryCount: number; maxRetryCount: number };
}

export interface InvocationResult {
  invocationId: string;
  /** The decoded `$return` value (or the function's return for non-HTTP triggers). */
  returnValue: unknown;
  /** Decoded output binding values that no storage binding consumed (e.g. `http`). */
  outputs: Map<string, unknown>;
  /** What the handler itself returned (after postInvocation hooks), before any conversion. */
  handlerResult: unknown;
}

/** Supplies input bindings the host itself owns (the durable client). */
export type InputProvider = (binding: RpcBindingInfo) => RpcTypedData | null | undefined;

export function triggerBindingOf(fn: RegisteredFunction): [string, RpcBindingInfo] {
  const found = Object.entries(fn.metadata.bindings).find(([, b]) => /trigger$/i.test(b.type ?? ''));
  if (!found) throw new Error(`Function "${fn.metadata.name}" has no trigger binding.`);
  return found;
}

/** Where a line at each level goes on the host's console. */
const userLevels: Record<RpcLogLevel, 'info' | 'warn' | 'error' | undefined> = {
  trace: 'info',
  debug: 'info',
  information: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
  none: undefined,
};

/**
 * Runs invocations exactly as the Node.js worker does: the app's programming model builds the
 * context and inputs from RPC-shaped data (`getArguments`), hooks run around the handler, and the
 * model turns the result into an RPC response (`getResponse`), whose output bindings we then apply.
 */
export class Invoker {
  readonly #registry: FunctionsCoreRegistry;
  readonly #logger: HostLogger;
  readonly #inputProviders: InputProvider[] = [];
  /** host.json functionTimeout; undefined = no limit. */
  readonly #timeoutMs: number | undefined;
  /** Abandons each running invocation (see failInFlight). */
  readonly #abandon = new Set<(error: Error) => void>();
  /** host.json logging.logLevel: which lines of which category are written at all. */
  readonly #levels: LogLevels;

  constructor(registry: FunctionsCoreRegistry, logger: HostLogger, options: { timeoutMs?: number | undefined; logLevels?: LogLevels } = {}) {
    this.#registry = registry;
    this.#logger = logger;
    this.#timeoutMs = options.timeoutMs;
    this.#levels = options.logLevels ?? new LogLevels();
  }

  /**
   * What the real host does when the worker process dies: every invocation running in it fails
   * (and its trigger retries as usual). dev/host runs the app in its own process, so it cannot
   * restart it; it fails the invocations and keeps serving instead.
   */
  failInFlight(error: Error): void {
    for (const abandon of [...this.#abandon]) abandon(error);
  }

  /** Runs `work`, failing it like the host does once functionTimeout passes or the worker crashes. */
  async #guarded<T>(label: string, work: Promise<T>): Promise<T> {
    let abandon!: (error: Error) => void;
    const abandoned = new Promise<never>((_, reject) => (abandon = reject));
    this.#abandon.add(abandon);
    const timer =
      this.#timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            // The Functions host's FunctionTimeoutException text; the JS keeps running (same process).
            abandon(new Error(`Timeout value of ${formatTimeSpan(this.#timeoutMs!)} was exceeded by function: ${label}`));
          }, this.#timeoutMs);
    try {
      return await Promise.race([work, abandoned]);
    } finally {
      clearTimeout(timer);
      this.#abandon.delete(abandon);
      work.catch(() => undefined);
      abandoned.catch(() => undefined);
    }
  }

  addInputProvider(provider: InputProvider): void {
    this.#inputProviders.push(provider);
  }

  get functions(): Map<string, RegisteredFunction> {
    return this.#registry.functions;
  }

  async invoke(request: InvocationRequest): Promise<InvocationResult> {
    const fn = this.#registry.functions.get(request.functionName);
    if (!fn) throw new Error(`No function named "${request.functionName}" is registered.`);
    const invocationId = request.invocationId ?? randomUUID();
    const started = performance.now();
    const label = `Functions.${fn.metadata.name}`;
    // The real host's category for these lines; checked before any line is built, as a busy
    // HTTP function's lines are usually off.
    const category = `Function.${fn.metadata.name}`;
    const debug = this.#levels.enabled(category, 'information') ? debugOf(this.#logger) : undefined;
    debug?.(`Executing '${label}' (Reason='${request.reason}', Id=${invocationId})`);
    try {
      const result = await this.#guarded(
        label,
        this.#run(fn, invocationId, request).then(({ response, handlerResult }) =>
          this.#applyOutputs(fn, invocationId, response, request.bindingData ?? {}, handlerResult),
        ),
      );
      const ms = Math.round(performance.now() - started);
      debug?.(`Executed '${label}' (Succeeded, Id=${invocationId}, Duration=${ms}ms)`);
      return result;
    } catch (error) {
      if (this.#levels.enabled(category, 'error')) {
        const ms = Math.round(performance.now() - started);
        this.#logger.error(`Executed '${label}' (Failed, Id=${invocationId}, Duration=${ms}ms)`);
        this.#logger.error(`Result: Failure\nException: ${describeError(error)}`);
      }
      throw error;
    }
  }

  async #run(
    fn: RegisteredFunction,
    invocationId: string,
    request: InvocationRequest,
  ): Promise<{ response: RpcInvocationResponse; handlerResult: unknown }> {
    const model = this.#registry.programmingModel;
    if (!model) throw new Error('The app did not set a programming model.');
    const [triggerName] = triggerBindingOf(fn);
    const userCategory = `Function.${fn.metadata.name}.User`;
    const inputData: RpcParameterBinding[] = [{ name: triggerName, data: request.trigger }];
    for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
      if (name === triggerName || binding.direction !== 'in') continue;
      inputData.push({ name, data: await this.#resolveInput(binding, request.bindingData ?? {}) });
    }
    const coreContext: CoreInvocationContext = {
      invocationId,
      metadata: fn.metadata,
      request: {
        invocationId,
        functionId: fn.metadata.functionId ?? fn.metadata.name,
        inputData,
        triggerMetadata: request.triggerMetadata ?? {},
        retryContext: request.retryContext ?? null,
      },
      log: (level, category, message) => {
        const method = userLevels[level];
        if (!method) return;
        // The app's own lines are `Function.<name>.User`; the library's are the worker's, of
        // which the host shows warnings and errors.
        if (category === 'user' ? this.#levels.enabled(userCategory, level) : level !== 'trace' && level !== 'debug' && level !== 'information' && this.#levels.enabled('Worker', level)) {
          this.#logger[method](message);
        }
      },
    };
    const invocationModel = model.getInvocationModel(coreContext);
    const { context, inputs } = await invocationModel.getArguments();
    const appHookData: Record<string, unknown> = {};
    const hookData: Record<string, unknown> = {};
    const pre = { invocationContext: context, inputs, functionCallback: fn.callback, hookData, appHookData };
    coreContext.state = 'preInvocationHooks';
    await this.#runHooks('preInvocation', pre);
    coreContext.state = 'invocation';
    let result: unknown;
    let error: unknown;
    try {
      result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback);
    } catch (caught) {
      error = caught;
    }
    const post = { invocationContext: context, inputs: pre.inputs, result, error, hookData, appHookData };
    coreContext.state = 'postInvocationHooks';
    await this.#runHooks('postInvocation', post);
    coreContext.state = undefined;
    if (post.error) throw post.error;
    return { response: await invocationModel.getResponse(context, post.result), handlerResult: post.result };
  }

  async #runHooks(name: string, context: Record<string, unknown>): Promise<void> {
    for (const hook of this.#registry.hooks.get(name) ?? []) await hook(context);
  }

  async #resolveInput(binding: RpcBindingInfo, data: BindingData): Promise<RpcTypedData | null> {
    for (const provider of this.#inputProviders) {
      const provided = provider(binding);
      if (provided !== undefined) return provided;
    }
    const stored = await readStorageInput(binding, data);
    if (stored !== undefined) return stored;
    throw new Error(`dev/host does not support "${binding.type}" input bindings.`);
  }

  async #applyOutputs(
    fn: RegisteredFunction,
    invocationId: string,
    response: RpcInvocationResponse,
    data: BindingData,
    handlerResult: unknown,
  ): Promise<InvocationResult> {
    const outputs = new Map<string, unknown>();
    let returnValue = fromTypedData(response.returnValue);
    const returnBinding = fn.metadata.bindings['$return'];
    const pending: [string, RpcBindingInfo, unknown][] = [];
    if (returnBinding && returnValue !== undefined) pending.push(['$return', returnBinding, returnValue]);
    for (const output of response.outputData ?? []) {
      const binding = output.name ? fn.metadata.bindings[output.name] : undefined;
      if (output.name && binding) pending.push([output.name, binding, fromTypedData(output.data)]);
    }
    for (const [name, binding, value] of pending) {
      if (value === undefined || value === null) continue;
      if (!(await writeStorageOutput(binding, value, data))) outputs.set(name, value);
      else if (name === '$return') returnValue = undefined;
    }
    return { invocationId, returnValue, outputs, handlerResult };
  }
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const text = error.stack ?? `${error.name}: ${error.message}`;
  // durable-functions appends the whole orchestrator state to failures; the host reports that separately.
  const marker = text.indexOf('$OutOfProcData$');
  return marker < 0 ? text : `${text.slice(0, marker).trim()} (orchestrator state omitted)`;
}

/** Milliseconds as a .NET TimeSpan prints them: `hh:mm:ss`. */
function formatTimeSpan(ms: number): string {
  const total = Math.round(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}
