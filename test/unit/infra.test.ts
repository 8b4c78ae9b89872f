/**
 * The deployment (azure.yaml, infra/) checked without Azure: every .bicep file is parsed with the
 * tree-sitter Bicep grammar and judged from the parse tree — resource types and API versions,
 * property names and enum values (the Cognitive Services account against the ARM description in
 * test/fixtures/specs, the rest against test/support/infra-reference.ts), Azure Verified Module
 * references, built-in role ids, keyless settings — and the hooks' az calls against the commands'
 * documented flags. The last block applies deliberate breaks to in-memory copies and shows that
 * each one fails the checks, so none of these tests passes by reading nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS, type SettingSpec } from '../../src/config.js';
import {
  apiVersionProblems,
  avmProblems,
  declarations,
  initBicepParser,
  keylessProblems,
  lineOf,
  modules,
  objectProperties,
  outputs,
  parseBicep,
  property,
  propertyProblems,
  resources,
  roleGuidProblems,
  shapeFromSwagger,
  stringValue,
  syntaxProblems,
  type BicepFile,
  type KeylessRule,
  type Shape,
} from '../support/bicep-tree.js';
import { azCalls, azdReference, parseSimpleYaml, psCommands, shCommands, type YamlMap } from '../support/hook-scripts.js';
import {
  API_VERSIONS,
  AVM_MODULES,
  AZ_COMMANDS,
  AZ_GLOBAL_FLAGS,
  BUILT_IN_ROLES,
  COGNITIVE_SERVICES_SPEC,
  FLEX_CONSUMPTION_REGIONS,
  SHAPES,
} from '../support/infra-reference.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SPECS = path.join(ROOT, 'test/fixtures/specs');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

const MAIN = 'infra/main.bicep';
const API = 'infra/app/api.bicep';
const HOOKS = ['infra/hooks/postdeploy.sh', 'infra/hooks/postdeploy.ps1'] as const;

/**
 * Settings the platform reads, not src/config.ts: Application Insights' connection string and its
 * Entra ID authentication string. With the Durable Task Scheduler backend, the host.json override
 * of the storage provider and the scheduler's connection string (identity-based) are added too.
 */
const PLATFORM_SETTINGS = ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];
const DURABLE_TASK_SCHEDULER_SETTINGS = [
  'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type',
  'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName',
  'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
];

/** Every file under infra/, relative to the repository root. */
function infraFiles(dir = 'infra'): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((entry) => {
    const relative = `${dir}/${entry}`;
    return statSync(path.join(ROOT, relative)).isDirectory() ? infraFiles(relative) : [relative];
  });
}

/** The deployment's text files, by path: what the checks read, and what the breaks modify. */
type Sources = ReadonlyMap<string, string>;
const sources = (): Map<string, string> => new Map(infraFiles().map((file) => [file, read(file)]));

const parseAll = (files: Sources): BicepFile[] => [...files].filter(([file]) => file.endsWith('.bicep')).map(([file, text]) => parseBicep(file, text));
const fileOf = (files: readonly BicepFile[], name: string): BicepFile => {
  const file = files.find((f) => f.path === name);
  if (!file) throw new Error(`${name} is not among the parsed files`);
  return file;
};

let cognitiveServices: { account: Shape; deployment: Shape };

/** The shapes of the hand-written resources: the list, plus the Cognitive Services ARM description. */
function shapes(): Record<string, Shape> {
  const [type, [version]] = ['Microsoft.CognitiveServices/accounts', API_VERSIONS['Microsoft.CognitiveServices/accounts']?.versions ?? []];
  return { ...SHAPES, [`${type}@${version}`]: cognitiveServices.account, [`${type}/deployments@${version}`]: cognitiveServices.deployment };
}

const KEYLESS: readonly KeylessRule[] = [
  { target: 'resource Microsoft.Storage/storageAccounts', path: ['properties', 'allowSharedKeyAccess'], value: false },
  { target: 'resource Microsoft.Storage/storageAccounts', path: ['properties', 'allowBlobPublicAccess'], value: false },
  { target: 'resource Microsoft.CognitiveServices/accounts', path: ['properties', 'disableLocalAuth'], value: true },
  { target: 'module avm/res/insights/component', path: ['params', 'disableLocalAuth'], value: true },
];

// ---------------------------------------------------------------------------------------------
// Checks beyond the generic ones of bicep-tree.ts: what this deployment must do.

/** Role assignments for the deploying user are scoped to a container or the queue, never wider. */
function userScopeProblems(files: readonly BicepFile[]): string[] {
  const rbac = fileOf(files, 'infra/app/rbac.bicep');
  const symbols = new Map(resources(rbac).map((r) => [r.symbol, r.type]));
  const problems: string[] = [];
  const forUser = resources(rbac).filter((r) => r.type === 'Microsoft.Authorization/roleAssignments' && property(r.body, 'properties', 'principalId')?.text === 'userPrincipalId');
  if (forUser.length === 0) problems.push('infra/app/rbac.bicep: no role assignment for the deploying user');
  for (const r of forUser) {
    const scope = property(r.body, 'scope')?.text ?? '(resource group)';
    const type = symbols.get(scope) ?? '';
    if (!/\/(containers|queues)$/.test(type)) problems.push(`infra/app/rbac.bicep:${lineOf(r.node)}: the user's ${r.symbol} is scoped to ${scope}, not a container or queue`);
  }
  return problems;
}

/** `location` is limited to Flex Consumption regions (@allowed, each one a documented region). */
function locationProblems(files: readonly BicepFile[]): string[] {
  const allowed = declarations(fileOf(files, MAIN)).get('location')?.allowed;
  if (!allowed?.length) return [`${MAIN}: param location has no @allowed list of Flex Consumption regions`];
  return allowed.filter((r) => !FLEX_CONSUMPTION_REGIONS.includes(r)).map((r) => `${MAIN}: location allows ${r}, which is not a Flex Consumption region`);
}

/** Blob soft delete is on for the drop zone's account. */
function softDeleteProblems(files: readonly BicepFile[]): string[] {
  const blobServices = resources(fileOf(files, 'infra/app/storage.bicep')).find((r) => r.type === 'Microsoft.Storage/storageAccounts/blobServices' && !r.existing);
  const enabled = property(blobServices?.body, 'properties', 'deleteRetentionPolicy', 'enabled');
  return enabled?.type === 'boolean' && enabled.text === 'true' ? [] : ['infra/app/storage.bicep: blob soft delete (deleteRetentionPolicy.enabled: true) is not on'];
}

/** No custom role definitions: built-in roles only. */
function customRoleProblems(files: readonly BicepFile[]): string[] {
  return files.flatMap((file) =>
    resources(file)
      .filter((r) => r.type === 'Microsoft.Authorization/roleDefinitions')
      .map((r) => `${file.path}:${lineOf(r.node)}: custom role definition ${r.symbol}: built-in roles only`),
  );
}

/** Every az call uses documented flags; every one but `az rest` (resource-id URL) names azd's subscription. */
function azProblems(files: Sources): string[] {
  const problems: string[] = [];
  for (const hook of HOOKS) {
    const calls = azCalls(files.get(hook) ?? '', hook.endsWith('.sh') ? 'sh' : 'pwsh');
    if (calls.length === 0) problems.push(`${hook}: no az calls found`);
    for (const call of calls) {
      const documented = AZ_COMMANDS[call.command];
      if (!documented) {
        problems.push(`${hook}:${call.line}: az ${call.command} is not in the checked command list`);
        continue;
      }
      for (const flag of call.flags) {
        if (!documented.flags.includes(flag) && !AZ_GLOBAL_FLAGS.includes(flag)) problems.push(`${hook}:${call.line}: az ${call.command} has no ${flag} (${documented.source})`);
      }
      if (call.command !== 'rest' && !call.flags.includes('--subscription')) problems.push(`${hook}:${call.line}: az ${call.command} does not pass azd's --subscription`);
    }
  }
  return problems;
}

/** Everything above and in bicep-tree.ts, on one set of files: what the breaks must trip. */
function allProblems(files: Sources): string[] {
  const parsed = parseAll(files);
  const syntax = parsed.flatMap(syntaxProblems);
  if (syntax.length > 0) return syntax; // a tree with errors is not worth judging further
  return [
    ...apiVersionProblems(parsed, API_VERSIONS),
    ...propertyProblems(parsed, shapes()),
    ...avmProblems(parsed, AVM_MODULES),
    ...roleGuidProblems(parsed, BUILT_IN_ROLES),
    ...keylessProblems(parsed, KEYLESS),
    ...userScopeProblems(parsed),
    ...locationProblems(parsed),
    ...softDeleteProblems(parsed),
    ...customRoleProblems(parsed),
    ...azProblems(files),
  ];
}

beforeAll(async () => {
  await initBicepParser();
  const spec = JSON.parse(readFileSync(path.join(SPECS, COGNITIVE_SERVICES_SPEC), 'utf8')) as Record<string, unknown>;
  const load = (ref: string) => JSON.parse(readFileSync(path.resolve(path.dirname(path.join(SPECS, COGNITIVE_SERVICES_SPEC)), ref), 'utf8')) as Record<string, unknown>;
  cognitiveServices = { account: shapeFromSwagger(spec, 'Account', load), deployment: shapeFromSwagger(spec, 'Deployment', load) };
});

describe('the Bicep templates, read as parse trees', () => {
  it('parse without a syntax error, every one of them', () => {
    const parsed = parseAll(sources());
    expect(parsed.map((f) => f.path).sort()).toEqual(infraFiles().filter((f) => f.endsWith('.bicep')).sort());
    expect(parsed.length).toBeGreaterThanOrEqual(7);
    expect(parsed.flatMap(syntaxProblems)).toEqual([]);
  });

  it('use only checked resource types and API versions, with the checked property names and enum values', () => {
    const parsed = parseAll(sources());
    expect(resources(fileOf(parsed, 'infra/app/storage.bicep')).length).toBeGreaterThanOrEqual(6);
    expect(apiVersionProblems(parsed, API_VERSIONS)).toEqual([]);
    expect(propertyProblems(parsed, shapes())).toEqual([]);
  });

  it('check the Azure OpenAI account against the ARM description: every property, kind and enum', () => {
    const account = cognitiveServices.account;
    expect(account.kind === 'object' && Object.keys(account.props)).toEqual(expect.arrayContaining(['kind', 'sku', 'properties', 'location', 'tags']));
    const props = account.kind === 'object' && account.props['properties'];
    expect(props && props.kind === 'object' && props.props['publicNetworkAccess']).toEqual({ kind: 'enum', values: ['Enabled', 'Disabled'], readOnly: false });
    expect(props && props.kind === 'object' && props.props['restore']).toMatchObject({ kind: 'bool' });
    expect(props && props.kind === 'object' && props.props['endpoint']).toMatchObject({ readOnly: true });
  });

  it('reference only pinned Azure Verified Module versions, with parameters those modules have', () => {
    const parsed = parseAll(sources());
    expect(modules(fileOf(parsed, MAIN)).filter((m) => m.source.startsWith('br/public:avm/')).length).toBe(4);
    expect(avmProblems(parsed, AVM_MODULES)).toEqual([]);
  });

  it('turn off every key, read from the tree: storage shared keys and public blobs, Azure OpenAI and Application Insights local auth', () => {
    expect(keylessProblems(parseAll(sources()), KEYLESS)).toEqual([]);
  });

  it('limit location to Flex Consumption regions and turn blob soft delete on', () => {
    const parsed = parseAll(sources());
    expect(declarations(fileOf(parsed, MAIN)).get('location')?.allowed).toEqual(FLEX_CONSUMPTION_REGIONS);
    expect(locationProblems(parsed)).toEqual([]);
    expect(softDeleteProblems(parsed)).toEqual([]);
  });
});

describe('role assignments', () => {
  it('use only documented built-in role ids, named correctly beside each, and no custom role', () => {
    const parsed = parseAll(sources());
    expect(roleGuidProblems(parsed, BUILT_IN_ROLES)).toEqual([]);
    expect(customRoleProblems(parsed)).toEqual([]);
  });

  it('give the app Cognitive Services OpenAI Contributor on the account, and nobody Cognitive Services Contributor', () => {
    const access = fileOf(parseAll(sources()), 'infra/app/openai-access.bicep');
    const assignments = resources(access).filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    expect(assignments.map((r) => [property(r.body, 'scope')?.text, property(r.body, 'properties', 'principalId')?.text, property(r.body, 'properties', 'roleDefinitionId')?.text])).toEqual([
      ['account', 'appPrincipalId', "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.cognitiveServicesOpenAIContributor)"],
    ]);
    const all = [...sources().values()].join('\n');
    expect(all).not.toContain(BUILT_IN_ROLES['Cognitive Services Contributor']);
  });

  it('scope the deploying user to the drop zone, runs, dead letters and the events queue only', () => {
    const parsed = parseAll(sources());
    expect(userScopeProblems(parsed)).toEqual([]);
    const rbac = resources(fileOf(parsed, 'infra/app/rbac.bicep'));
    const user = rbac.filter((r) => property(r.body, 'properties', 'principalId')?.text === 'userPrincipalId');
    expect(user.map((r) => property(r.body, 'scope')?.text).sort()).toEqual(['datasets', 'deadLetters', 'events', 'runs']);
  });

  it('let Event Grid write dead letters with its own identity, into the dead-letter container only', () => {
    const parsed = parseAll(sources());
    const topic = resources(fileOf(parsed, 'infra/app/storage.bicep')).find((r) => r.type === 'Microsoft.EventGrid/systemTopics');
    expect(stringValue(property(topic?.body, 'identity', 'type'))).toBe('SystemAssigned');
    const grant = resources(fileOf(parsed, 'infra/app/rbac.bicep')).find((r) => property(r.body, 'properties', 'principalId')?.text === 'eventGridPrincipalId');
    expect(property(grant?.body, 'scope')?.text).toBe('deadLetters');
    const containers = property(modules(fileOf(parsed, MAIN)).find((m) => m.symbol === 'storage')?.body, 'params', 'containerNames');
    expect(containers?.namedChildren.map((n) => n.text)).toContain('deadLetterContainerName');
  });

  it('give the app Durable Task Data Contributor on the scheduler when the scale option is on', () => {
    const dts = fileOf(parseAll(sources()), 'infra/app/durable-task-scheduler.bicep');
    const grant = resources(dts).find((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    expect(property(grant?.body, 'scope')?.text).toBe('scheduler');
    expect(property(grant?.body, 'properties', 'roleDefinitionId')?.text).toContain('roles.durableTaskDataContributor');
  });
});

// ---------------------------------------------------------------------------------------------
// App settings: main.bicep's functionAppSettings against src/config.ts

/** `functionAppSettings` entries: name → value expression node. */
function appSettings(main: BicepFile): Map<string, ReturnType<typeof objectProperties>[number]['value']> {
  const value = declarations(main).get('functionAppSettings')?.value;
  return new Map(objectProperties(value).map((p) => [p.key, p.value]));
}

function settingsProblems(main: BicepFile, api: BicepFile, settings: readonly SettingSpec[]): string[] {
  const problems: string[] = [];
  const entries = appSettings(main);
  const forAzure = settings.filter((s) => !s.localOnly);
  const wanted = new Set([...forAzure.filter((s) => !s.secret).map((s) => s.name), ...PLATFORM_SETTINGS]);
  for (const name of wanted) if (!entries.has(name)) problems.push(`missing: ${name}`);
  for (const name of entries.keys()) if (!wanted.has(name)) problems.push(`not read by anything: ${name}`);
  const apiDecls = declarations(api);
  for (const secret of forAzure.filter((s) => s.secret)) {
    const assignment = findProperty(api.root, secret.name);
    if (!assignment) problems.push(`secret not set in ${API}: ${secret.name}`);
    else if (!apiDecls.get(assignment.text)?.secure) problems.push(`secret ${secret.name} comes from ${assignment.text}, not a @secure() param`);
  }
  return problems;
}

function findProperty(node: BicepFile['root'], key: string): BicepFile['root'] | undefined {
  for (const p of objectProperties(node)) if (p.key === key) return p.value;
  for (const child of node.namedChildren) {
    const found = findProperty(child, key);
    if (found) return found;
  }
  return undefined;
}

function defaultProblems(main: BicepFile, parametersJson: string, settings: readonly SettingSpec[]): string[] {
  const problems: string[] = [];
  const entries = appSettings(main);
  const decls = declarations(main);
  const parameters = (JSON.parse(parametersJson) as { parameters: Record<string, { value: unknown }> }).parameters;
  for (const setting of settings) {
    const expression = entries.get(setting.name);
    if (!expression) continue;
    const decl = expression.type === 'identifier' ? decls.get(expression.text) : undefined;
    const literal = stringValue(expression) ?? stringValue(decl?.value);
    if (literal !== undefined && setting.default !== undefined && literal !== setting.default) {
      problems.push(`${setting.name} is '${literal}' in Bicep, '${setting.default}' in src/config.ts`);
    }
    if (decl?.kind === 'param' && parameters[expression.text]) {
      const reference = azdReference(String(parameters[expression.text]?.value));
      if (reference?.name !== setting.name) problems.push(`${expression.text} should come from \${${setting.name}}`);
      else if ((reference.default ?? '') !== (setting.default ?? '')) problems.push(`\${${setting.name}} defaults to '${reference.default ?? ''}'`);
    }
  }
  return problems;
}

describe('function app settings', () => {
  const deployed = SETTINGS.filter((s) => !s.localOnly);
  const parse = (text: string, file = MAIN): BicepFile => parseBicep(file, text);

  it('are exactly the settings src/config.ts declares for Azure, plus the Application Insights ones', () => {
    expect(deployed.length).toBeGreaterThan(20);
    expect(settingsProblems(parse(read(MAIN)), parse(read(API), API), SETTINGS)).toEqual([]);
  });

  it('would catch a missing, an extra and a local-only setting, and a secret in plain text', () => {
    const main = read(MAIN);
    const api = parse(read(API), API);
    const header = 'var functionAppSettings = {';
    expect(settingsProblems(parse(main.replace(/^\s*EVENTS_QUEUE:.*\n/m, '')), api, SETTINGS)).toEqual(['missing: EVENTS_QUEUE']);
    expect(settingsProblems(parse(main.replace(header, `${header}\n  FT_EPOCHS: '3'`)), api, SETTINGS)).toEqual(['not read by anything: FT_EPOCHS']);
    expect(settingsProblems(parse(main.replace(header, `${header}\n  AZURE_OPENAI_API_KEY: ''`)), api, SETTINGS)).toEqual(['not read by anything: AZURE_OPENAI_API_KEY']);
    expect(settingsProblems(parse(main), parse(read(API).replace('@secure()\nparam notifyWebhookSecret', 'param notifyWebhookSecret'), API), SETTINGS)).toEqual([
      'secret NOTIFY_WEBHOOK_SECRET comes from notifyWebhookSecret, not a @secure() param',
    ]);
  });

  it('carry src/config.ts defaults, and tunable ones come from the azd variable of the same name', () => {
    const main = read(MAIN);
    const parameters = read('infra/main.parameters.json');
    expect(defaultProblems(parse(main), parameters, SETTINGS)).toEqual([]);
    expect(defaultProblems(parse(main.replace("POLL_MIN_SECONDS: '15'", "POLL_MIN_SECONDS: '20'")), parameters, SETTINGS)).toEqual([
      "POLL_MIN_SECONDS is '20' in Bicep, '15' in src/config.ts",
    ]);
    expect(defaultProblems(parse(main), parameters.replace('${FT_BASE_MODEL=gpt-4o-mini-2024-07-18}', '${FT_BASE_MODEL=gpt-35-turbo}'), SETTINGS)).toEqual([
      "${FT_BASE_MODEL} defaults to 'gpt-35-turbo'",
    ]);
    expect(defaultProblems(parse(main.replace("var runsContainerName = 'runs'", "var runsContainerName = 'run-artifacts'")), parameters, SETTINGS)).toEqual([
      "RUNS_CONTAINER is 'run-artifacts' in Bicep, 'runs' in src/config.ts",
    ]);
  });

  it('provide every %SETTING% host.json refers to (the Durable Functions task hub)', () => {
    const referenced = [...read('host.json').matchAll(/%(\w+)%/g)].map((m) => m[1]);
    expect(referenced).toContain('TASK_HUB_NAME');
    const names = [...appSettings(parse(read(MAIN))).keys()];
    for (const name of referenced) expect(names).toContain(name);
  });

  it('use the identity for storage and telemetry, never a key', () => {
    const entries = appSettings(parse(read(MAIN)));
    expect(stringValue(entries.get('AzureWebJobsStorage__credential'))).toBe('managedidentity');
    expect(entries.get('AzureWebJobsStorage__clientId')?.text).toBe('identity.outputs.clientId');
    expect(entries.get('AZURE_CLIENT_ID')?.text).toBe('identity.outputs.clientId');
    expect(entries.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')?.text).toBe("'ClientId=${identity.outputs.clientId};Authorization=AAD'");
    const site = resources(parse(read(API), API)).find((r) => r.type === 'Microsoft.Web/sites');
    const runtime = property(site?.body, 'properties', 'functionAppConfig', 'runtime');
    expect([stringValue(property(runtime, 'name')), stringValue(property(runtime, 'version'))]).toEqual(['node', '22']);
    const auth = property(site?.body, 'properties', 'functionAppConfig', 'deployment', 'storage', 'authentication');
    expect(stringValue(property(auth, 'type'))).toBe('UserAssignedIdentity');
  });

  it('switch Durable Functions to the Durable Task Scheduler only with the scale option, by identity', () => {
    const main = parse(read(MAIN));
    const value = declarations(main).get('durableTaskSchedulerSettings')?.value;
    expect(value?.type).toBe('ternary_expression');
    const [condition, whenOn, whenOff] = value?.namedChildren ?? [];
    expect(condition?.text).toBe('useDurableTaskScheduler');
    expect(objectProperties(whenOff)).toEqual([]);
    const on = new Map(objectProperties(whenOn).map((p) => [p.key, p.value]));
    expect([...on.keys()]).toEqual(DURABLE_TASK_SCHEDULER_SETTINGS);
    // host.json's storageProvider.type for the scheduler is `azureManaged` ("Configure Durable
    // Functions with the Durable Task Scheduler", learn.microsoft.com/azure/durable-task/scheduler/).
    expect(stringValue(on.get(DURABLE_TASK_SCHEDULER_SETTINGS[0] ?? ''))).toBe('azureManaged');
    expect(on.get('DURABLE_TASK_SCHEDULER_CONNECTION_STRING')?.text).toMatch(/^'Endpoint=\$\{.+\};Authentication=ManagedIdentity;ClientID=\$\{identity\.outputs\.clientId\}'$/);
    expect(declarations(main).get('durableBackend')?.allowed).toEqual(['AzureStorage', 'DurableTaskScheduler']);
  });
});

describe('outputs and parameters', () => {
  it('output nothing secret, and everything the hooks require', () => {
    const names = outputs(parseBicep(MAIN, read(MAIN)));
    expect(names.filter((o) => /KEY|SECRET|PASSWORD|CONNECTION_STRING|TOKEN/i.test(o))).toEqual([]);
    for (const hook of HOOKS) {
      const required = [...read(hook).matchAll(/\$\{(\w+):\?|Get-Setting '(\w+)' ''/g)].map((m) => m[1] ?? m[2]);
      expect(required.length).toBe(4);
      for (const name of required) expect(names).toContain(name);
    }
    expect(names).toEqual(expect.arrayContaining(['AZURE_FUNCTION_APP_NAME', 'AZURE_RESOURCE_GROUP', 'SERVICE_API_ENDPOINTS', 'AZURE_OPENAI_ENDPOINT', 'EVENTGRID_DEADLETTER_CONTAINER']));
  });

  it('restore a soft-deleted Azure OpenAI account when AZURE_OPENAI_RESTORE=true', () => {
    const account = resources(parseBicep('infra/app/openai-account.bicep', read('infra/app/openai-account.bicep')))[0];
    expect(property(account?.body, 'properties', 'restore')?.text).toBe('restore');
    const module = modules(parseBicep(MAIN, read(MAIN))).find((m) => m.symbol === 'openAiAccount');
    expect(property(module?.body, 'params', 'restore')?.text).toBe('restoreOpenAiAccount');
    expect(read('infra/main.parameters.json')).toContain('"${AZURE_OPENAI_RESTORE=false}"');
  });

  it('leave AZURE_PRINCIPAL_TYPE empty by default, so a user and a CI service principal both work', () => {
    const main = parseBicep(MAIN, read(MAIN));
    expect(declarations(main).get('principalType')?.allowed).toEqual(['', 'User', 'ServicePrincipal', 'Group']);
    expect(stringValue(declarations(main).get('principalType')?.value)).toBe('');
    expect(read('infra/main.parameters.json')).toContain('"${AZURE_PRINCIPAL_TYPE=}"');
    const rbac = parseBicep('infra/app/rbac.bicep', read('infra/app/rbac.bicep'));
    expect(declarations(rbac).get('userType')?.value?.text).toBe('empty(userPrincipalType) ? null : userPrincipalType');
  });
});

describe('postdeploy hooks', () => {
  const hookProblems = (file: string, text: string): string[] => {
    const ALLOWED_SH = new Set(['az', 'azd', 'set', 'echo', 'printf', 'test', '[', 'exit', 'break', 'sleep', 'true', 'false', ':', 'export', 'unset', 'shift', 'read']);
    const ALLOWED_PS = new Set(['az', 'azd', 'Write-Host', 'Write-Error', 'Write-Warning', 'Start-Sleep', 'Set-StrictMode']);
    if (file.endsWith('.sh')) {
      const problems = text.startsWith('#!/bin/sh\n') ? [] : [`${file}: first line must be #!/bin/sh`];
      return [...problems, ...shCommands(text).filter((c) => !ALLOWED_SH.has(c)).map((c) => `${file}: runs ${c}`)];
    }
    const problems = text.startsWith('#!/usr/bin/env pwsh\n') ? [] : [`${file}: first line must be #!/usr/bin/env pwsh`];
    const { commands, functions } = psCommands(text);
    return [...problems, ...commands.filter((c) => !ALLOWED_PS.has(c) && !functions.includes(c)).map((c) => `${file}: runs ${c}`)];
  };

  it('are executable in git and on disk', () => {
    const staged = execFileSync('git', ['ls-files', '--stage', '--', ...HOOKS], { cwd: ROOT, encoding: 'utf8' });
    for (const hook of HOOKS) {
      expect(staged).toMatch(new RegExp(`^100755 \\w+ 0\\t${hook}$`, 'm'));
      expect(statSync(path.join(ROOT, hook)).mode & 0o111).toBe(0o111);
    }
  });

  it('start with the right shebang and run nothing but az, azd and the shell', () => {
    for (const hook of HOOKS) expect(hookProblems(hook, read(hook))).toEqual([]);
    expect(shCommands(read(HOOKS[0]))).toEqual(expect.arrayContaining(['az', 'azd', 'set', 'echo', 'sleep', 'exit']));
    expect(psCommands(read(HOOKS[1])).commands).toEqual(expect.arrayContaining(['az', 'azd', 'Write-Host', 'Start-Sleep']));
    expect(hookProblems('x.sh', '#!/bin/sh\nkey="$(az x | jq -r .key)"\n')).toEqual(['x.sh: runs jq']);
    expect(hookProblems('x.ps1', '#!/usr/bin/env pwsh\n$r = Invoke-RestMethod -Uri "https://x"\n')).toEqual(['x.ps1: runs Invoke-RestMethod']);
  });

  it("call az only with documented flags, every call in azd's subscription, the same calls on both shells", () => {
    const files = sources();
    expect(azProblems(files)).toEqual([]);
    const sh = azCalls(read(HOOKS[0]), 'sh');
    const ps = azCalls(read(HOOKS[1]), 'pwsh');
    expect(sh.map((c) => c.command)).toEqual(['functionapp show', 'rest', 'functionapp function list', 'eventgrid event-subscription create']);
    expect(ps.map((c) => [c.command, [...c.flags].sort()])).toEqual(sh.map((c) => [c.command, [...c.flags].sort()]));
    expect(azCalls('x="$(az functionapp show --nmae "$a" --query "[?x==\'--y\']" --output tsv)"\n', 'sh')).toEqual([
      { line: 1, command: 'functionapp show', flags: ['--nmae', '--query', '--output'] },
    ]);
  });

  it("subscribe the Event Grid trigger datasetDropped (by resource id, no key) to *.jsonl created in the datasets container, dead-lettering what cannot be delivered", () => {
    for (const hook of HOOKS) {
      const text = read(hook);
      const create = azCalls(text, hook.endsWith('.sh') ? 'sh' : 'pwsh').find((c) => c.command === 'eventgrid event-subscription create');
      expect(create?.flags).toEqual(expect.arrayContaining(['--source-resource-id', '--included-event-types', '--subject-begins-with', '--subject-ends-with', '--deadletter-identity', '--deadletter-identity-endpoint']));
      // Not the blob extension's webhook: that endpoint feeds a blob trigger, which binds the whole blob.
      expect(text).not.toContain('blobs_extension');
      expect(text).not.toContain('/runtime/webhooks/blobs');
      expect(text).toContain('--endpoint-type azurefunction');
      expect(text).toMatch(/endpoint *= *"\$\{?site_?[iI]d\}?\/functions\/\$\{?function_?[nN]ame\}?"/);
      expect(text).toContain('--included-event-types Microsoft.Storage.BlobCreated');
      expect(text).toMatch(/--subject-begins-with "\/blobServices\/default\/containers\/\$\{?container\}?\/"/);
      expect(text).toContain('--subject-ends-with .jsonl');
      expect(text).toMatch(/--deadletter-identity-endpoint "\$\{?storage_?[iI]d\}?\/blobServices\/default\/containers\/\$\{?dead_?[lL]etter_?[cC]ontainer\}?"/);
      expect(text).toContain('azd env get-value AZURE_SUBSCRIPTION_ID');
      expect(text).toContain('datasetDropped');
    }
  });
});

describe('azure.yaml', () => {
  const yaml = parseSimpleYaml(read('azure.yaml'));
  const at = (map: YamlMap, ...keys: string[]): string | YamlMap | undefined =>
    keys.reduce<string | YamlMap | undefined>((node, key) => (typeof node === 'object' ? node[key] : undefined), map);

  it('deploys this project as the TypeScript function service `api`, the name the function app is tagged with', () => {
    expect(at(yaml, 'services', 'api', 'language')).toBe('ts');
    expect(at(yaml, 'services', 'api', 'host')).toBe('function');
    const project = String(at(yaml, 'services', 'api', 'project'));
    const pkg = JSON.parse(read(path.join(project, 'package.json'))) as { main: string };
    // The Node.js worker loads every file the `main` glob matches (one file per function).
    expect(pkg.main).toBe('dist/src/{index.js,functions/**/*.js,orchestrators/**/*.js}');
    expect(read(API)).toContain("'azd-service-name': 'api'");
  });

  it('uses infra/main.bicep and its parameters file, and every module and file it loads exists', () => {
    const infra = `${String(at(yaml, 'infra', 'path'))}/${String(at(yaml, 'infra', 'module'))}`;
    expect(infra).toBe('infra/main');
    const main = parseBicep(MAIN, read(`${infra}.bicep`));
    const local = modules(main).filter((m) => m.source.endsWith('.bicep'));
    expect(local.length).toBeGreaterThanOrEqual(6);
    for (const module of local) expect(existsSync(path.join(ROOT, 'infra', module.source))).toBe(true);
    const abbreviations = JSON.parse(read('infra/abbreviations.json')) as Record<string, string>;
    for (const [, key] of read(MAIN).matchAll(/abbrs\.(\w+)/g)) expect(abbreviations).toHaveProperty(key ?? '');
    const parameters = Object.keys((JSON.parse(read(`${infra}.parameters.json`)) as { parameters: object }).parameters);
    const decls = declarations(main);
    for (const name of parameters) expect(decls.get(name)?.kind).toBe('param');
    const required = [...decls].filter(([, d]) => d.kind === 'param' && d.value === undefined).map(([name]) => name);
    for (const name of required) expect(parameters).toContain(name);
    expect(read(`${infra}.parameters.json`)).toContain('${AZURE_PRINCIPAL_ID}');
  });

  it('runs the postdeploy hooks with sh on POSIX and pwsh on Windows', () => {
    expect(at(yaml, 'hooks', 'postdeploy', 'posix', 'shell')).toBe('sh');
    expect(at(yaml, 'hooks', 'postdeploy', 'posix', 'run')).toBe('./infra/hooks/postdeploy.sh');
    expect(at(yaml, 'hooks', 'postdeploy', 'windows', 'shell')).toBe('pwsh');
    expect(at(yaml, 'hooks', 'postdeploy', 'windows', 'run')).toBe('./infra/hooks/postdeploy.ps1');
    for (const os of ['posix', 'windows']) expect(existsSync(path.join(ROOT, String(at(yaml, 'hooks', 'postdeploy', os, 'run'))))).toBe(true);
  });
});

describe('deployment package (remote build)', () => {
  const ignored = read('.funcignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('azure.yaml asks for a remote build of the api service', () => {
    expect(read('azure.yaml')).toMatch(/\n {4}host: function\n(?: {4}#.*\n)* {4}remoteBuild: true\n/);
  });

  it('.funcignore uploads what the platform builds from and leaves node_modules and dev tooling behind', () => {
    for (const needed of ['src/', 'src/index.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'host.json']) {
      const hit = ignored.find((p) => p === needed || (p.endsWith('/') && needed.startsWith(p)) || (p.startsWith('*.') && needed.endsWith(p.slice(1))));
      expect(hit, `${needed} must be uploaded`).toBeUndefined();
    }
    for (const excluded of ['node_modules/', 'dist/', 'test/', 'dev/', 'bench/', 'infra/', 'local.settings.json']) {
      expect(ignored, `${excluded} must not be uploaded`).toContain(excluded);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Deliberate breaks: each one applied to a copy must make the checks fail, with the right line.

interface Break {
  what: string;
  file: string;
  from: string | RegExp;
  to: string;
  /** A problem line that must be reported. */
  expect: RegExp;
}

const BREAKS: readonly Break[] = [
  { what: 'an invalid enum value', file: 'infra/app/storage.bicep', from: "minimumTlsVersion: 'TLS1_2'", to: "minimumTlsVersion: 'TLS1.2'", expect: /storage\.bicep:\d+: .*minimumTlsVersion: 'TLS1\.2' is not one of/ },
  { what: 'a wrong-case property (checked against the ARM description)', file: 'infra/app/openai-account.bicep', from: 'customSubDomainName: name', to: 'customSubdomainName: name', expect: /openai-account\.bicep:\d+: .*customSubdomainName: no such property; the API spells it customSubDomainName/ },
  { what: 'a non-existent AVM version', file: MAIN, from: 'user-assigned-identity:0.4.1', to: 'user-assigned-identity:0.4.9', expect: /main\.bicep:\d+: avm\/res\/managed-identity\/user-assigned-identity:0\.4\.9 is not a pinned version/ },
  { what: 'a Bicep syntax error (a missing closing brace)', file: 'infra/app/rbac.bicep', from: /}\s*$/, to: '', expect: /rbac\.bicep:\d+: syntax error/ },
  { what: 'shared keys re-enabled behind a comment', file: 'infra/app/storage.bicep', from: 'allowSharedKeyAccess: false', to: 'allowSharedKeyAccess: true // false', expect: /storage\.bicep:\d+: properties\.allowSharedKeyAccess must be the literal false, not true/ },
  { what: 'Azure OpenAI local auth commented out (the default is on)', file: 'infra/app/openai-account.bicep', from: 'disableLocalAuth: true', to: '// disableLocalAuth: true', expect: /openai-account\.bicep:\d+: resource Microsoft\.CognitiveServices\/accounts does not set properties\.disableLocalAuth/ },
  { what: 'Application Insights local auth re-enabled', file: MAIN, from: 'disableLocalAuth: true', to: 'disableLocalAuth: false', expect: /main\.bicep:\d+: params\.disableLocalAuth must be the literal true, not false/ },
  { what: 'an API version that does not exist', file: API, from: "'Microsoft.Web/sites@2024-04-01'", to: "'Microsoft.Web/sites@2024-04-15'", expect: /api\.bicep:\d+: Microsoft\.Web\/sites@2024-04-15 is not a known API version/ },
  { what: 'an unknown AVM parameter', file: MAIN, from: 'dataRetention: 30', to: 'dataRetentionDays: 30', expect: /main\.bicep:\d+: avm\/res\/operational-insights\/workspace has no parameter dataRetentionDays/ },
  { what: 'a wrong role GUID', file: 'infra/app/rbac.bicep', from: "'974c5e8b-45b9-4653-ba55-5f855dd0fb88'", to: "'974c5e8b-45b9-4653-ba55-5f855dd0fb89'", expect: /rbac\.bicep:\d+: 974c5e8b-45b9-4653-ba55-5f855dd0fb89 is not a documented built-in role id/ },
  { what: 'a string where the API takes a boolean', file: API, from: 'httpsOnly: true', to: "httpsOnly: 'true'", expect: /api\.bicep:\d+: Microsoft\.Web\/sites\.properties\.httpsOnly must be bool, not string/ },
  {
    what: 'the custom deployment-writer role reintroduced',
    file: 'infra/app/openai-access.bicep',
    from: 'output endpoint',
    to: "resource writer 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {\n  name: guid(resourceGroup().id, 'writer')\n}\n\noutput endpoint",
    expect: /openai-access\.bicep:\d+: custom role definition writer: built-in roles only/,
  },
  { what: 'the deploying user granted storage roles on the whole account', file: 'infra/app/rbac.bicep', from: 'scope: datasets', to: 'scope: storage', expect: /rbac\.bicep:\d+: the user's userDatasets is scoped to storage, not a container or queue/ },
  { what: 'location no longer limited to Flex Consumption regions', file: MAIN, from: "  'westus3'\n])", to: "  'westus3'\n  'chinanorth3'\n])", expect: /location allows chinanorth3, which is not a Flex Consumption region/ },
  { what: "a misspelt az flag in a hook", file: 'infra/hooks/postdeploy.sh', from: '--subject-ends-with .jsonl', to: '--subject-end-with .jsonl', expect: /postdeploy\.sh:\d+: az eventgrid event-subscription create has no --subject-end-with/ },
  {
    what: 'dead-lettering with the topic identity through a command that has no such flag',
    file: 'infra/hooks/postdeploy.sh',
    from: 'az eventgrid event-subscription create \\\n  --subscription "$subscription" \\\n  --source-resource-id "$storage_id" \\',
    to: 'az eventgrid system-topic event-subscription create \\\n  --subscription "$subscription" \\\n  --resource-group "$group" --system-topic-name "$topic" \\',
    expect: /postdeploy\.sh:\d+: az eventgrid system-topic event-subscription create has no --deadletter-identity /,
  },
  { what: "a hook call in az's default subscription", file: 'infra/hooks/postdeploy.ps1', from: '$siteId = az functionapp show --subscription $subscription ', to: '$siteId = az functionapp show ', expect: /postdeploy\.ps1:\d+: az functionapp show does not pass azd's --subscription/ },
  { what: 'blob soft delete turned off', file: 'infra/app/storage.bicep', from: /deleteRetentionPolicy: \{\n\s+enabled: true/, to: 'deleteRetentionPolicy: {\n      enabled: false', expect: /storage\.bicep: blob soft delete .* is not on/ },
];

describe('deliberate breaks', () => {
  it('the unbroken deployment passes every check', () => {
    expect(allProblems(sources())).toEqual([]);
  });

  it.each(BREAKS.map((b) => [b.what, b] as const))('fail the checks: %s', (_what, b) => {
    const files = sources();
    const original = files.get(b.file) ?? '';
    const broken = original.replace(b.from, b.to);
    expect(broken, `the break must change ${b.file}`).not.toBe(original);
    files.set(b.file, broken);
    const problems = allProblems(files);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems, problems.join('\n')).toEqual(expect.arrayContaining([expect.stringMatching(b.expect)]));
  });
});
