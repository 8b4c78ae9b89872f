/**
 * The deployment (azure.yaml, infra/) checked against the code, since nothing here can compile
 * Bicep or run azd: the function app gets exactly the settings src/config.ts declares for Azure,
 * host.json's %SETTINGS% are provided, every role GUID is the documented built-in one, the hooks
 * are executable and run only az/azd, and azure.yaml points at files that exist. Each check is also
 * run on a deliberately broken copy, to show it would catch the mistake.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTINGS, type SettingSpec } from '../../src/config.js';
import {
  azdReference,
  declarations,
  objectEntries,
  parseSimpleYaml,
  psCommands,
  resolveLiteral,
  roleGuidProblems,
  shCommands,
  type YamlMap,
} from '../support/infra-text.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

const MAIN = 'infra/main.bicep';
const API = 'infra/app/api.bicep';
const SETTINGS_HEADER = 'var functionAppSettings = {';

/**
 * Settings the platform reads, not src/config.ts: Application Insights' connection string and its
 * Entra ID authentication string (ClientId=<identity>;Authorization=AAD). The only app settings
 * allowed beyond SETTINGS.
 */
const PLATFORM_SETTINGS = ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];

/**
 * Built-in role definition ids as documented in "Azure built-in roles"
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles/{storage,ai-machine-learning,monitor}):
 * the role's `name` in its JSON definition. Cognitive Services Contributor is listed so that a
 * reintroduction is recognised, and is then refused by the least-privilege test below.
 */
const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Cognitive Services OpenAI Contributor': 'a001fd3d-188f-4b5d-821b-7da978bf7442',
  'Cognitive Services Contributor': '25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
};

/** Every file under infra/, relative to the repository root. */
function infraFiles(dir = 'infra'): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((entry) => {
    const relative = `${dir}/${entry}`;
    return statSync(path.join(ROOT, relative)).isDirectory() ? infraFiles(relative) : [relative];
  });
}

/** SETTINGS the deployed app needs: everything that is not local-only. */
const deployed = SETTINGS.filter((s) => !s.localOnly);

/**
 * Problems with the function app's settings. Non-secret settings must all be in main.bicep's
 * functionAppSettings, with nothing else but the platform ones. Secret settings are never in that
 * object (it would put them in plain template text); each must instead be set in app/api.bicep from
 * a @secure() parameter, only when given — that is how NOTIFY_WEBHOOK_SECRET reaches the app.
 */
function settingsProblems(mainText: string, apiText: string, settings: readonly SettingSpec[]): string[] {
  const problems: string[] = [];
  const entries = objectEntries(mainText, SETTINGS_HEADER);
  const forAzure = settings.filter((s) => !s.localOnly);
  const wanted = new Set([...forAzure.filter((s) => !s.secret).map((s) => s.name), ...PLATFORM_SETTINGS]);
  for (const name of wanted) if (!entries.has(name)) problems.push(`missing: ${name}`);
  for (const name of entries.keys()) if (!wanted.has(name)) problems.push(`not read by anything: ${name}`);
  const apiDecls = declarations(apiText);
  for (const secret of forAzure.filter((s) => s.secret)) {
    const assignment = new RegExp(`^\\s*${secret.name}:\\s*(\\w+)\\s*$`, 'm').exec(apiText);
    if (!assignment?.[1]) problems.push(`secret not set in ${API}: ${secret.name}`);
    else if (!apiDecls.get(assignment[1])?.secure) problems.push(`secret ${secret.name} comes from ${assignment[1]}, not a @secure() param`);
  }
  return problems;
}

/**
 * Settings with a default whose Bicep value is a plain literal (directly or through a var/param)
 * must carry the default src/config.ts declares; a param fed from the azd environment must be fed from the
 * variable of the same name, with the same default.
 */
function defaultProblems(mainText: string, parametersJson: string, settings: readonly SettingSpec[]): string[] {
  const problems: string[] = [];
  const entries = objectEntries(mainText, SETTINGS_HEADER);
  const decls = declarations(mainText);
  const parameters = (JSON.parse(parametersJson) as { parameters: Record<string, { value: unknown }> }).parameters;
  for (const setting of settings) {
    const expression = entries.get(setting.name);
    if (expression === undefined) continue;
    const literal = resolveLiteral(expression, decls);
    if (literal !== undefined && setting.default !== undefined && literal !== setting.default) {
      problems.push(`${setting.name} is '${literal}' in Bicep, '${setting.default}' in src/config.ts`);
    }
    if (decls.get(expression)?.kind === 'param' && parameters[expression]) {
      const reference = azdReference(String(parameters[expression].value));
      if (reference?.name !== setting.name) problems.push(`${expression} should come from \${${setting.name}}`);
      else if ((reference.default ?? '') !== (setting.default ?? '')) problems.push(`\${${setting.name}} defaults to '${reference.default ?? ''}'`);
    }
  }
  return problems;
}

const ALLOWED_SH = new Set(['az', 'azd', 'set', 'echo', 'printf', 'test', '[', 'exit', 'break', 'sleep', 'true', 'false', ':', 'export', 'unset', 'shift', 'read']);
const ALLOWED_PS = new Set(['az', 'azd', 'Write-Host', 'Write-Error', 'Write-Warning', 'Start-Sleep', 'Set-StrictMode']);

function hookProblems(file: string, text: string): string[] {
  if (file.endsWith('.sh')) {
    const problems = text.startsWith('#!/bin/sh\n') ? [] : [`${file}: first line must be #!/bin/sh`];
    return [...problems, ...shCommands(text).filter((c) => !ALLOWED_SH.has(c)).map((c) => `${file}: runs ${c}`)];
  }
  const problems = text.startsWith('#!/usr/bin/env pwsh\n') ? [] : [`${file}: first line must be #!/usr/bin/env pwsh`];
  const { commands, functions } = psCommands(text);
  return [...problems, ...commands.filter((c) => !ALLOWED_PS.has(c) && !functions.includes(c)).map((c) => `${file}: runs ${c}`)];
}

describe('function app settings', () => {
  const main = read(MAIN);
  const api = read(API);

  it('are exactly the settings src/config.ts declares for Azure, plus the Application Insights ones', () => {
    expect(deployed.length).toBeGreaterThan(20);
    expect(settingsProblems(main, api, SETTINGS)).toEqual([]);
  });

  it('would catch a missing, an extra and a local-only setting, and a secret in plain text', () => {
    expect(settingsProblems(main.replace(/^\s*EVENTS_QUEUE:.*\n/m, ''), api, SETTINGS)).toEqual(['missing: EVENTS_QUEUE']);
    expect(settingsProblems(main.replace(SETTINGS_HEADER, `${SETTINGS_HEADER}\n  FT_EPOCHS: '3'`), api, SETTINGS)).toEqual([
      'not read by anything: FT_EPOCHS',
    ]);
    expect(settingsProblems(main.replace(SETTINGS_HEADER, `${SETTINGS_HEADER}\n  AZURE_OPENAI_API_KEY: ''`), api, SETTINGS)).toEqual([
      'not read by anything: AZURE_OPENAI_API_KEY',
    ]);
    expect(settingsProblems(main, api.replace('@secure()\nparam notifyWebhookSecret', 'param notifyWebhookSecret'), SETTINGS)).toEqual([
      'secret NOTIFY_WEBHOOK_SECRET comes from notifyWebhookSecret, not a @secure() param',
    ]);
  });

  it('leave out every local-only setting (connection strings, API keys, FUNCTIONS_WORKER_RUNTIME)', () => {
    const names = [...objectEntries(main, SETTINGS_HEADER).keys(), 'NOTIFY_WEBHOOK_SECRET'];
    for (const local of SETTINGS.filter((s) => s.localOnly)) expect(names).not.toContain(local.name);
  });

  it('carry src/config.ts defaults, and tunable ones come from the azd variable of the same name', () => {
    const parameters = read('infra/main.parameters.json');
    expect(defaultProblems(main, parameters, SETTINGS)).toEqual([]);
    expect(defaultProblems(main.replace("POLL_MIN_SECONDS: '15'", "POLL_MIN_SECONDS: '20'"), parameters, SETTINGS)).toEqual([
      "POLL_MIN_SECONDS is '20' in Bicep, '15' in src/config.ts",
    ]);
    expect(defaultProblems(main, parameters.replace('${FT_BASE_MODEL=gpt-4o-mini-2024-07-18}', '${FT_BASE_MODEL=gpt-35-turbo}'), SETTINGS)).toEqual([
      "${FT_BASE_MODEL} defaults to 'gpt-35-turbo'",
    ]);
    expect(defaultProblems(main.replace("var runsContainerName = 'runs'", "var runsContainerName = 'run-artifacts'"), parameters, SETTINGS)).toEqual([
      "RUNS_CONTAINER is 'run-artifacts' in Bicep, 'runs' in src/config.ts",
    ]);
  });

  it('provide every %SETTING% host.json refers to (the Durable Functions task hub)', () => {
    const host = read('host.json');
    const referenced = [...host.matchAll(/%(\w+)%/g)].map((m) => m[1]);
    expect(referenced).toContain('TASK_HUB_NAME');
    const names = [...objectEntries(main, SETTINGS_HEADER).keys()];
    for (const name of referenced) expect(names).toContain(name);
  });

  it('use the identity for storage and telemetry, never a key', () => {
    const entries = objectEntries(main, SETTINGS_HEADER);
    expect(entries.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(entries.get('AzureWebJobsStorage__clientId')).toBe('identity.outputs.clientId');
    expect(entries.get('AZURE_CLIENT_ID')).toBe('identity.outputs.clientId');
    expect(entries.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe("'ClientId=${identity.outputs.clientId};Authorization=AAD'");
    expect(api).toMatch(/type: 'UserAssignedIdentity'\s+userAssignedIdentityResourceId: identityId/);
    expect(api).toContain("name: 'node'");
    expect(api).toContain("version: '22'");
  });
});

describe('role assignments', () => {
  const files = new Map(infraFiles().map((file) => [file, read(file)]));

  it('use only documented built-in role ids, named correctly beside each', () => {
    const guids = [...files.values()].join('\n').match(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/gi) ?? [];
    expect(guids.length).toBeGreaterThanOrEqual(6);
    expect(roleGuidProblems(files, BUILT_IN_ROLES)).toEqual([]);
  });

  it('would catch a wrong GUID, a mislabelled one and a key naming another role', () => {
    const rbac = 'infra/app/rbac.bicep';
    const text = files.get(rbac) ?? '';
    const broken = (replace: (t: string) => string) => roleGuidProblems(new Map([[rbac, replace(text)]]), BUILT_IN_ROLES);
    expect(broken((t) => t.replace('3913510d-42f4-4e42-8a64-420c390055eb', '3913510d-42f4-4e42-8a64-420c390055ec'))).toEqual([
      expect.stringContaining('3913510d-42f4-4e42-8a64-420c390055ec is not a documented built-in role id'),
    ]);
    expect(broken((t) => t.replace("'974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor", "'974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Table Data Contributor"))).toEqual([
      expect.stringContaining('974c5e8b-45b9-4653-ba55-5f855dd0fb88 is Storage Queue Data Contributor, the comment says Storage Table Data Contributor'),
    ]);
    expect(broken((t) => t.replace("storageBlobDataOwner: 'b7e6", "storageBlobDataReader: 'b7e6"))).toEqual([
      expect.stringContaining('key storageBlobDataReader does not name Storage Blob Data Owner'),
    ]);
  });

  it('grant the app and the user what the issue lists, and never Cognitive Services Contributor', () => {
    const all = [...files.values()].join('\n');
    for (const role of ['Storage Blob Data Owner', 'Storage Queue Data Contributor', 'Storage Table Data Contributor', 'Cognitive Services OpenAI Contributor', 'Monitoring Metrics Publisher', 'Storage Blob Data Contributor']) {
      expect(all).toContain(BUILT_IN_ROLES[role]);
    }
    expect(all).not.toContain(BUILT_IN_ROLES['Cognitive Services Contributor']);
  });

  it('give the app a custom role limited to model deployments on the account', () => {
    const access = files.get('infra/app/openai-access.bicep') ?? '';
    const actions = /actions: \[([^\]]*)\]/.exec(access)?.[1]?.match(/'[^']+'/g);
    expect(actions).toEqual(["'Microsoft.CognitiveServices/accounts/read'", "'Microsoft.CognitiveServices/accounts/deployments/*'"]);
    expect(access).toMatch(/dataActions: \[\]/);
    expect(access).toMatch(/assignableScopes: \[\s*resourceGroup\(\)\.id\s*\]/);
  });
});

describe('keyless resources', () => {
  it('turn off every key: storage shared keys, Azure OpenAI and Application Insights local auth', () => {
    const storage = read('infra/app/storage.bicep');
    expect(storage).toContain('allowSharedKeyAccess: false');
    expect(storage).toContain('allowBlobPublicAccess: false');
    expect(storage).toContain("minimumTlsVersion: 'TLS1_2'");
    expect(read('infra/app/openai-account.bicep')).toMatch(/kind: 'OpenAI'[\s\S]*name: 'S0'[\s\S]*customSubDomainName: name\s+disableLocalAuth: true/);
    expect(read(MAIN)).toMatch(/workspaceResourceId: logAnalytics\.outputs\.resourceId\s+disableLocalAuth: true/);
  });

  it('output nothing secret, and everything the hooks require', () => {
    const main = read(MAIN);
    const outputs = [...main.matchAll(/^output (\w+) /gm)].map((m) => m[1] ?? '');
    expect(outputs.filter((o) => /KEY|SECRET|PASSWORD|CONNECTION_STRING|TOKEN/i.test(o))).toEqual([]);
    for (const hook of ['infra/hooks/postdeploy.sh', 'infra/hooks/postdeploy.ps1']) {
      const required = [...read(hook).matchAll(/\$\{(\w+):\?|Get-Setting '(\w+)' ''/g)].map((m) => m[1] ?? m[2]);
      expect(required.length).toBe(3);
      for (const name of required) expect(outputs).toContain(name);
    }
    expect(outputs).toEqual(expect.arrayContaining(['AZURE_FUNCTION_APP_NAME', 'AZURE_RESOURCE_GROUP', 'SERVICE_API_ENDPOINTS', 'AZURE_OPENAI_ENDPOINT']));
  });
});

describe('postdeploy hooks', () => {
  const hooks = ['infra/hooks/postdeploy.sh', 'infra/hooks/postdeploy.ps1'];

  it('are executable in git and on disk', () => {
    const staged = execFileSync('git', ['ls-files', '--stage', '--', ...hooks], { cwd: ROOT, encoding: 'utf8' });
    for (const hook of hooks) {
      expect(staged).toMatch(new RegExp(`^100755 \\w+ 0\\t${hook}$`, 'm'));
      expect(statSync(path.join(ROOT, hook)).mode & 0o111).toBe(0o111);
    }
  });

  it('start with the right shebang and run nothing but az, azd and the shell', () => {
    for (const hook of hooks) expect(hookProblems(hook, read(hook))).toEqual([]);
    expect(shCommands(read(hooks[0] ?? ''))).toEqual(expect.arrayContaining(['az', 'set', 'echo', 'sleep', 'exit']));
    expect(psCommands(read(hooks[1] ?? '')).commands).toEqual(expect.arrayContaining(['az', 'Write-Host', 'Start-Sleep']));
  });

  it('would catch another program, also inside $(...), a pipe or an assignment', () => {
    expect(hookProblems('x.sh', '#!/bin/sh\nkey="$(az x | jq -r .key)"\n')).toEqual(['x.sh: runs jq']);
    expect(hookProblems('x.sh', '#!/bin/bash\nif [ -n "$a" ]; then curl -s "https://x?a=1&b=2" >&2; fi\n')).toEqual([
      'x.sh: first line must be #!/bin/sh',
      'x.sh: runs curl',
    ]);
    expect(hookProblems('x.ps1', '#!/usr/bin/env pwsh\n$r = Invoke-RestMethod -Uri "https://x"\naz x | ConvertFrom-Json\n')).toEqual([
      'x.ps1: runs Invoke-RestMethod',
      'x.ps1: runs ConvertFrom-Json',
    ]);
  });

  it('subscribe the blob extension webhook to *.jsonl created in the datasets container', () => {
    for (const hook of hooks) {
      const text = read(hook);
      expect(text).toContain('az functionapp keys list');
      expect(text).toContain('systemKeys.blobs_extension');
      expect(text).toMatch(/\/runtime\/webhooks\/blobs\?functionName=Host\.Functions\.\$\{?function_?[nN]ame\}?&code=\$\{?key\}?/);
      expect(text).toContain('--included-event-types Microsoft.Storage.BlobCreated');
      expect(text).toMatch(/--subject-begins-with "\/blobServices\/default\/containers\/\$\{?container\}?\/"/);
      expect(text).toContain('--subject-ends-with .jsonl');
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
    const main = read(`${infra}.bicep`);
    const local = [...main.matchAll(/^module \w+ '([^']+\.bicep)'/gm)].map((m) => m[1] ?? '');
    expect(local.length).toBeGreaterThanOrEqual(5);
    for (const module of local) expect(existsSync(path.join(ROOT, 'infra', module))).toBe(true);
    const abbreviations = JSON.parse(read('infra/abbreviations.json')) as Record<string, string>;
    for (const [, key] of main.matchAll(/abbrs\.(\w+)/g)) expect(abbreviations).toHaveProperty(key ?? '');
    const parameters = Object.keys((JSON.parse(read(`${infra}.parameters.json`)) as { parameters: object }).parameters);
    const decls = declarations(main);
    for (const name of parameters) expect(decls.get(name)?.kind).toBe('param');
    const requiredParams = [...main.matchAll(/^param (\w+) \w+$/gm)].map((m) => m[1]);
    for (const name of requiredParams) expect(parameters).toContain(name);
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
