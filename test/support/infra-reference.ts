/**
 * What infra/ is checked against, each list with where it comes from. Adding a resource, an API
 * version, a property, a module or an `az` flag to infra/ means adding it here from its source.
 *
 * Sources, by the names used below:
 *  - TEMPLATES: "Azure resource reference" (Bicep), learn.microsoft.com/azure/templates/<provider>/
 *    <api-version>/<type>; e.g. .../microsoft.storage/2023-05-01/storageaccounts.
 *  - SAMPLE: the official Flex Consumption azd template Azure-Samples/functions-quickstart-
 *    typescript-azd, infra/main.bicep at commit 157d2cec5f5216265cbb8e466c9513703b371a30.
 *  - ROLES: "Azure built-in roles", learn.microsoft.com/azure/role-based-access-control/built-in-roles
 *    (/storage, /ai-machine-learning, /monitor, /integration): the role's `name` in its JSON.
 *  - AZ: the Azure CLI reference, learn.microsoft.com/cli/azure/<command group>.
 * The Cognitive Services account is checked against test/fixtures/specs (the ARM description itself),
 * not against a list here.
 */
import { ANY, arr, B, dict, en, I, obj, S, type ApiVersionSource, type AvmModule, type Shape } from './bicep-tree.js';

const templates = (path: string): string => `learn.microsoft.com/azure/templates/${path}`;

export const COGNITIVE_SERVICES_SPEC = 'specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json';

/** Resource type → API versions checked to exist (each page lists the type's versions). */
export const API_VERSIONS: Readonly<Record<string, ApiVersionSource>> = {
  'Microsoft.Resources/resourceGroups': { versions: ['2024-03-01'], source: templates('microsoft.resources/2024-03-01/resourcegroups') },
  'Microsoft.Storage/storageAccounts': { versions: ['2023-05-01'], source: templates('microsoft.storage/2023-05-01/storageaccounts') },
  'Microsoft.Storage/storageAccounts/blobServices': { versions: ['2023-05-01'], source: templates('microsoft.storage/2023-05-01/storageaccounts/blobservices') },
  'Microsoft.Storage/storageAccounts/blobServices/containers': { versions: ['2023-05-01'], source: templates('microsoft.storage/2023-05-01/storageaccounts/blobservices/containers') },
  'Microsoft.Storage/storageAccounts/queueServices': { versions: ['2023-05-01'], source: templates('microsoft.storage/2023-05-01/storageaccounts/queueservices') },
  'Microsoft.Storage/storageAccounts/queueServices/queues': { versions: ['2023-05-01'], source: templates('microsoft.storage/2023-05-01/storageaccounts/queueservices/queues') },
  'Microsoft.EventGrid/systemTopics': { versions: ['2022-06-15'], source: templates('microsoft.eventgrid/2022-06-15/systemtopics') },
  'Microsoft.Authorization/roleAssignments': { versions: ['2022-04-01'], source: templates('microsoft.authorization/2022-04-01/roleassignments') },
  'Microsoft.Insights/components': { versions: ['2020-02-02'], source: templates('microsoft.insights/2020-02-02/components') },
  'Microsoft.Web/sites': { versions: ['2024-04-01'], source: templates('microsoft.web/2024-04-01/sites') },
  'Microsoft.CognitiveServices/accounts': { versions: ['2025-06-01'], source: `test/fixtures/specs/${COGNITIVE_SERVICES_SPEC}` },
  'Microsoft.DurableTask/schedulers': { versions: ['2025-11-01'], source: templates('microsoft.durabletask/2025-11-01/schedulers') },
  'Microsoft.DurableTask/schedulers/taskHubs': { versions: ['2025-11-01'], source: templates('microsoft.durabletask/2025-11-01/schedulers/taskhubs') },
};

const tracked = { location: S, tags: dict() };
const managedIdentity = obj({ type: en('None', 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned'), userAssignedIdentities: dict() });

/**
 * The properties infra/ may set on the resources it writes by hand, per TEMPLATES (enum values
 * exactly as listed there). Deliberately only what is used, plus close neighbours: a property
 * outside this list is a finding to check against the page, not a silent pass.
 */
export const SHAPES: Readonly<Record<string, Shape>> = {
  'Microsoft.Resources/resourceGroups@2024-03-01': obj({ ...tracked, managedBy: S, properties: obj({}) }),
  'Microsoft.Storage/storageAccounts@2023-05-01': obj({
    ...tracked,
    kind: en('BlobStorage', 'BlockBlobStorage', 'FileStorage', 'Storage', 'StorageV2'),
    sku: obj({ name: en('Premium_LRS', 'Premium_ZRS', 'Standard_GRS', 'Standard_GZRS', 'Standard_LRS', 'Standard_RAGRS', 'Standard_RAGZRS', 'Standard_ZRS') }),
    identity: managedIdentity,
    properties: obj({
      accessTier: en('Cold', 'Cool', 'Hot', 'Premium'),
      allowBlobPublicAccess: B,
      allowSharedKeyAccess: B,
      defaultToOAuthAuthentication: B,
      minimumTlsVersion: en('TLS1_0', 'TLS1_1', 'TLS1_2', 'TLS1_3'),
      supportsHttpsTrafficOnly: B,
      publicNetworkAccess: en('Disabled', 'Enabled', 'SecuredByPerimeter'),
      networkAcls: obj({ defaultAction: en('Allow', 'Deny'), bypass: S, ipRules: arr(ANY), virtualNetworkRules: arr(ANY), resourceAccessRules: arr(ANY) }),
    }),
  }),
  'Microsoft.Storage/storageAccounts/blobServices@2023-05-01': obj({
    properties: obj({
      deleteRetentionPolicy: obj({ enabled: B, days: I, allowPermanentDelete: B }),
      containerDeleteRetentionPolicy: obj({ enabled: B, days: I, allowPermanentDelete: B }),
      isVersioningEnabled: B,
      changeFeed: obj({ enabled: B, retentionInDays: I }),
    }),
  }),
  'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01': obj({ properties: obj({ publicAccess: en('Blob', 'Container', 'None'), metadata: dict() }) }),
  'Microsoft.Storage/storageAccounts/queueServices@2023-05-01': obj({ properties: obj({ cors: obj({ corsRules: arr(ANY) }) }) }),
  'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01': obj({ properties: obj({ metadata: dict() }) }),
  'Microsoft.EventGrid/systemTopics@2022-06-15': obj({ ...tracked, identity: managedIdentity, properties: obj({ source: S, topicType: S }) }),
  'Microsoft.Authorization/roleAssignments@2022-04-01': obj({
    properties: obj({
      roleDefinitionId: S,
      principalId: S,
      principalType: en('Device', 'ForeignGroup', 'Group', 'ServicePrincipal', 'User'),
      description: S,
      condition: S,
      conditionVersion: S,
      delegatedManagedIdentityResourceId: S,
    }),
  }),
  'Microsoft.Web/sites@2024-04-01': obj({
    ...tracked,
    kind: S,
    identity: managedIdentity,
    properties: obj({
      serverFarmId: S,
      httpsOnly: B,
      keyVaultReferenceIdentity: S,
      virtualNetworkSubnetId: S,
      siteConfig: obj({ appSettings: arr(obj({ name: S, value: S })), minTlsVersion: en('1.0', '1.1', '1.2', '1.3'), cors: obj({ allowedOrigins: arr(S), supportCredentials: B }) }),
      functionAppConfig: obj({
        deployment: obj({
          storage: obj({
            type: en('blobContainer'),
            value: S,
            authentication: obj({
              type: en('StorageAccountConnectionString', 'SystemAssignedIdentity', 'UserAssignedIdentity'),
              userAssignedIdentityResourceId: S,
              storageAccountConnectionStringName: S,
            }),
          }),
        }),
        scaleAndConcurrency: obj({ instanceMemoryMB: I, maximumInstanceCount: I, alwaysReady: arr(obj({ name: S, instanceCount: I })), triggers: obj({ http: obj({ perInstanceConcurrency: I }) }) }),
        runtime: obj({ name: en('custom', 'dotnet-isolated', 'java', 'node', 'powershell', 'python'), version: S }),
      }),
    }),
  }),
  'Microsoft.DurableTask/schedulers@2025-11-01': obj({
    ...tracked,
    properties: obj({ ipAllowlist: arr(S), publicNetworkAccess: en('Disabled', 'Enabled'), sku: obj({ name: S, capacity: I, redundancyState: S }) }),
  }),
  'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01': obj({ properties: obj({}) }),
};

/**
 * Azure Verified Modules infra/main.bicep may use: the versions and parameters SAMPLE uses with
 * them (the same four modules, pinned to the same versions, given the same parameters).
 */
export const AVM_MODULES: Readonly<Record<string, AvmModule>> = {
  'avm/res/managed-identity/user-assigned-identity': { versions: ['0.4.1'], params: ['name', 'location', 'tags'], source: 'SAMPLE' },
  'avm/res/web/serverfarm': { versions: ['0.1.1'], params: ['name', 'location', 'tags', 'sku', 'reserved'], source: 'SAMPLE' },
  'avm/res/operational-insights/workspace': { versions: ['0.11.1'], params: ['name', 'location', 'tags', 'dataRetention'], source: 'SAMPLE' },
  'avm/res/insights/component': { versions: ['0.6.0'], params: ['name', 'location', 'tags', 'workspaceResourceId', 'disableLocalAuth'], source: 'SAMPLE' },
};

/** Built-in role definition ids (ROLES). Cognitive Services Contributor only so a reintroduction is recognised and refused. */
export const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Blob Data Reader': '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Cognitive Services OpenAI Contributor': 'a001fd3d-188f-4b5d-821b-7da978bf7442',
  'Cognitive Services Contributor': '25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  // ROLES /integration; also the value Azure.ResourceManager.DurableTask's built-in role type names.
  'Durable Task Data Contributor': '0ad04412-c4d5-4796-b79c-f76d14c8d402',
};

/** Regions offering Flex Consumption: SAMPLE's `location` @allowed list, less its canary region eastus2euap. */
export const FLEX_CONSUMPTION_REGIONS = [
  'australiaeast', 'australiasoutheast', 'brazilsouth', 'canadacentral', 'centralindia', 'centralus', 'eastasia', 'eastus', 'eastus2',
  'francecentral', 'germanywestcentral', 'italynorth', 'japaneast', 'koreacentral', 'northcentralus', 'northeurope', 'norwayeast',
  'southafricanorth', 'southcentralus', 'southeastasia', 'southindia', 'spaincentral', 'swedencentral', 'uaenorth', 'uksouth', 'ukwest',
  'westcentralus', 'westeurope', 'westus', 'westus2', 'westus3',
];

/** Global arguments every az command takes (AZ, "Global Parameters" on each command's page). */
export const AZ_GLOBAL_FLAGS = ['--debug', '--help', '-h', '--only-show-errors', '--output', '-o', '--query', '--subscription', '--verbose'];

/**
 * The documented arguments of each az command the hooks run (AZ). az rest is listed without
 * --subscription in use: its URL carries the subscription (the hooks pass the site's resource id).
 */
export const AZ_COMMANDS: Readonly<Record<string, { flags: readonly string[]; source: string }>> = {
  'functionapp show': { flags: ['--name', '-n', '--resource-group', '-g', '--slot', '-s', '--ids'], source: 'learn.microsoft.com/cli/azure/functionapp#az-functionapp-show' },
  'functionapp function list': { flags: ['--name', '-n', '--resource-group', '-g', '--ids'], source: 'learn.microsoft.com/cli/azure/functionapp/function#az-functionapp-function-list' },
  'functionapp keys list': { flags: ['--name', '-n', '--resource-group', '-g', '--slot', '-s', '--ids'], source: 'learn.microsoft.com/cli/azure/functionapp/keys#az-functionapp-keys-list' },
  rest: {
    flags: ['--method', '-m', '--url', '--uri', '-u', '--body', '-b', '--headers', '--output-file', '--resource', '--skip-authorization-header', '--uri-parameters', '--url-parameters'],
    source: 'learn.microsoft.com/cli/azure/reference-index#az-rest',
  },
  'eventgrid event-subscription create': {
    flags: [
      '--name', '-n', '--source-resource-id', '--endpoint', '--endpoint-type', '--included-event-types', '--subject-begins-with', '--subject-ends-with',
      '--subject-case-sensitive', '--advanced-filter', '--enable-advanced-filtering-on-arrays', '--event-delivery-schema', '--labels', '--expiration-date',
      '--max-delivery-attempts', '--event-ttl', '--max-events-per-batch', '--preferred-batch-size-in-kilobytes', '--qttl', '--storage-queue-msg-ttl',
      '--deadletter-endpoint', '--deadletter-identity', '--deadletter-identity-endpoint', '--delivery-identity', '--delivery-identity-endpoint',
      '--delivery-identity-endpoint-type', '--delivery-attribute-mapping', '--aad-tenant-id', '--azure-active-directory-tenant-id',
      '--azure-active-directory-application-id-or-uri',
    ],
    source: 'learn.microsoft.com/cli/azure/eventgrid/event-subscription#az-eventgrid-event-subscription-create',
  },
  // Listed so that a hook going back to it is judged: it has --deadletter-endpoint but no
  // --deadletter-identity / --deadletter-identity-endpoint (azure-cli, eventgrid/custom.py,
  // cli_system_topic_event_subscription_create_or_update passes deadletter_identity=None).
  'eventgrid system-topic event-subscription create': {
    flags: [
      '--name', '-n', '--resource-group', '-g', '--system-topic-name', '--endpoint', '--endpoint-type', '--included-event-types', '--subject-begins-with',
      '--subject-ends-with', '--subject-case-sensitive', '--advanced-filter', '--enable-advanced-filtering-on-arrays', '--event-delivery-schema', '--labels',
      '--expiration-date', '--max-delivery-attempts', '--event-ttl', '--max-events-per-batch', '--preferred-batch-size-in-kilobytes', '--qttl',
      '--storage-queue-msg-ttl', '--deadletter-endpoint', '--delivery-attribute-mapping', '--azure-active-directory-tenant-id',
      '--azure-active-directory-application-id-or-uri',
    ],
    source: 'learn.microsoft.com/cli/azure/eventgrid/system-topic/event-subscription#az-eventgrid-system-topic-event-subscription-create',
  },
};
