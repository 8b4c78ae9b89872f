// The whole finetune-pipeline system for `azd up`, keyless: every service-to-service call is made
// with the function app's user-assigned managed identity, and every account that could hand out a
// key has key access turned off (storage shared keys, Azure OpenAI local auth, App Insights local
// auth). Deployed at subscription scope because it creates the resource group.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment. Names the resource group and seeds the unique suffix of every resource.')
param environmentName string

// Regions that offer the Flex Consumption plan, as listed by the official azd template
// Azure-Samples/functions-quickstart-typescript-azd (infra/main.bicep, commit 157d2cec5f52) less its
// canary region eastus2euap; `az functionapp list-flexconsumption-locations` prints today's list.
@minLength(1)
@description('Region of the resource group, the function app (Flex Consumption), storage and monitoring.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@minLength(1)
@description('Region of a new Azure OpenAI account: choose one where fine-tuning of your base model is offered (see README). Not used with existingOpenAiAccountId.')
param openAiLocation string = 'swedencentral'

@description('Resource id of an existing Azure OpenAI account to use instead of creating one, /subscriptions/<id>/resourceGroups/<name>/providers/Microsoft.CognitiveServices/accounts/<name>. Empty: create a new account.')
param existingOpenAiAccountId string = ''

@description('Restore the soft-deleted Azure OpenAI account of this environment (left by deleting the resource group without purging) instead of failing on its name. AZURE_OPENAI_RESTORE=true.')
param restoreOpenAiAccount bool = false

@description('Object id of the person (or CI principal) running azd; gets data access to drop datasets and read runs. Empty: no role assignments for it.')
param principalId string = ''

// Empty (the default): the role assignments do not state the type and Azure looks the principal up,
// which works for a developer login and a CI service principal alike. Set ServicePrincipal for a
// service principal created moments before the deployment (directory replication delay).
@allowed([
  ''
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principal principalId is (AZURE_PRINCIPAL_TYPE). Empty: let Azure find out.')
param principalType string = ''

@allowed([
  'AzureStorage'
  'DurableTaskScheduler'
])
@description('Durable Functions backend: AzureStorage (queues and tables in the app\'s storage account) or DurableTaskScheduler (managed; for high throughput, see README).')
param durableBackend string = 'AzureStorage'

@allowed([
  'Consumption'
  'Dedicated'
])
@description('SKU of the Durable Task Scheduler, with durableBackend DurableTaskScheduler.')
param durableTaskSchedulerSku string = 'Consumption'

// App settings meant to be tuned per environment: `azd env set <NAME> <value>` and `azd provision`.
// Every other setting is pinned below to the default declared in src/config.ts.
@description('FT_BASE_MODEL: base model fine-tuned when a dataset\'s options do not name one.')
param ftBaseModel string = 'gpt-4o-mini-2024-07-18'

@allowed([
  ''
  'Standard'
  'GlobalStandard'
  'developerTier'
])
@description('FT_TRAINING_TYPE: training tier when a dataset\'s options do not say (empty: the service default).')
param ftTrainingType string = ''

@allowed([
  'Standard'
  'GlobalStandard'
  'DeveloperTier'
])
@description('DEPLOYMENT_SKU: deployment type of fine-tuned models.')
param deploymentSku string = 'Standard'

@description('DEPLOYMENT_CAPACITY: deployment capacity in units of 1,000 tokens per minute.')
param deploymentCapacity string = '1'

@description('NOTIFY_WEBHOOK_URL: optional https URL that receives every notification as a signed POST.')
param notifyWebhookUrl string = ''

// Secret: taken from the azd environment (never from a committed file), passed on as a secure
// parameter so it stays out of deployment history, and set only when given.
@secure()
@description('NOTIFY_WEBHOOK_SECRET: HMAC key for webhook notifications, required with NOTIFY_WEBHOOK_URL. A Key Vault reference (@Microsoft.KeyVault(SecretUri=...)) works too.')
param notifyWebhookSecret string = ''

@description('PUBLIC_BASE_URL: base URL used in notifications (empty: https://<default host name of the app>).')
param publicBaseUrl string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var resourceGroupName = '${abbrs.resourcesResourceGroups}${environmentName}'
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
// Flex Consumption reads the app package from this container, authenticating as the app's identity.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

// Names the app and the storage account must agree on (src/config.ts defaults).
var datasetsContainerName = 'datasets'
var runsContainerName = 'runs'
var eventsQueueName = 'finetune-events'
var taskHubName = 'finetunepipeline'
// Events Event Grid could not deliver within its retry policy (30 attempts over 24 hours) land
// here; the reconciliation timer picks the files up anyway, this keeps the evidence.
var deadLetterContainerName = 'eventgrid-deadletter'
var useDurableTaskScheduler = durableBackend == 'DurableTaskScheduler'

// The app builds Azure Resource Manager URLs from this; without the trailing slash the cloud
// reports, as src/config.ts expects (and correct in sovereign clouds too).
var resourceManager = environment().resourceManager
var armEndpoint = endsWith(resourceManager, '/') ? substring(resourceManager, 0, length(resourceManager) - 1) : resourceManager

// New Azure OpenAI account in the app's resource group, or an existing one anywhere the deploying
// user may assign roles. The padding keeps the indexes valid when no id is given.
var useExistingOpenAi = !empty(existingOpenAiAccountId)
var existingOpenAiParts = useExistingOpenAi ? split(existingOpenAiAccountId, '/') : ['', '', '', '', '', '', '', '', '']
var openAiSubscriptionId = useExistingOpenAi ? existingOpenAiParts[2] : subscription().subscriptionId
var openAiResourceGroupName = useExistingOpenAi ? existingOpenAiParts[4] : resourceGroupName
var openAiAccountName = useExistingOpenAi ? existingOpenAiParts[8] : '${abbrs.cognitiveServicesAccounts}${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

// The one identity the app uses for storage, Azure OpenAI (data plane and ARM) and telemetry.
// User-assigned rather than system-assigned so its roles exist before the app starts.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containerNames: [
      deploymentContainerName
      datasetsContainerName
      runsContainerName
      deadLetterContainerName
    ]
    queueNames: [
      eventsQueueName
    ]
    systemTopicName: '${abbrs.eventGridSystemTopics}${resourceToken}'
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'log-analytics'
  scope: rg
  params: {
    name: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

// Entra ID authentication only: telemetry is accepted from identities holding Monitoring Metrics
// Publisher, never from whoever knows the connection string.
module monitoring 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'application-insights'
  scope: rg
  params: {
    name: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
  }
}

module openAiAccount 'app/openai-account.bicep' = if (!useExistingOpenAi) {
  name: 'openai-account'
  scope: rg
  params: {
    name: openAiAccountName
    location: openAiLocation
    tags: tags
    restore: restoreOpenAiAccount
  }
}

// Role assignments on the account (new or existing) and its endpoint, deployed into the account's
// own resource group. The deployment name carries the token so that several environments sharing
// one existing account do not overwrite each other's deployment records.
module openAiAccess 'app/openai-access.bicep' = {
  name: 'openai-access-${resourceToken}'
  scope: resourceGroup(openAiSubscriptionId, openAiResourceGroupName)
  params: {
    accountName: openAiAccountName
    appPrincipalId: identity.outputs.principalId
  }
  // For a new account the scope is this deployment's own resource group: make sure it exists.
  dependsOn: [
    rg
    openAiAccount
  ]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.name
    appPrincipalId: identity.outputs.principalId
    eventGridPrincipalId: storage.outputs.systemTopicPrincipalId
    datasetsContainerName: datasetsContainerName
    runsContainerName: runsContainerName
    deadLetterContainerName: deadLetterContainerName
    eventsQueueName: eventsQueueName
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module durableTaskScheduler 'app/durable-task-scheduler.bicep' = if (useDurableTaskScheduler) {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    name: '${abbrs.durableTaskSchedulers}${resourceToken}'
    location: location
    tags: tags
    taskHubName: taskHubName
    appPrincipalId: identity.outputs.principalId
    skuName: durableTaskSchedulerSku
  }
}

// Only with the Durable Task Scheduler: host.json's durableTask.storageProvider is overridden by
// these app settings (AzureFunctionsJobHost__<path>), so one host.json serves both backends. The
// scheduler takes identity-based connections only: the user-assigned identity, by client id.
var durableTaskSchedulerSettings = useDurableTaskScheduler ? {
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskScheduler!.outputs.endpoint};Authentication=ManagedIdentity;ClientID=${identity.outputs.clientId}'
} : {}

// Every setting src/config.ts declares that the deployed app needs (all but the local-only ones),
// plus the two Application Insights reads. test/unit/infra.test.ts holds this object to SETTINGS
// both ways: nothing missing, nothing extra. NOTIFY_WEBHOOK_SECRET is added in app/api.bicep.
var functionAppSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  TASK_HUB_NAME: taskHubName
  DATASETS_CONTAINER: datasetsContainerName
  RUNS_CONTAINER: runsContainerName
  EVENTS_QUEUE: eventsQueueName
  AZURE_OPENAI_ENDPOINT: openAiAccess.outputs.endpoint
  AZURE_OPENAI_API_VERSION: '2025-04-01-preview'
  AZURE_CLIENT_ID: identity.outputs.clientId
  AZURE_SUBSCRIPTION_ID: openAiSubscriptionId
  AZURE_RESOURCE_GROUP: openAiResourceGroupName
  AZURE_OPENAI_ACCOUNT: openAiAccountName
  ARM_ENDPOINT: armEndpoint
  FT_BASE_MODEL: ftBaseModel
  FT_TRAINING_TYPE: ftTrainingType
  DEPLOYMENT_SKU: deploymentSku
  DEPLOYMENT_CAPACITY: deploymentCapacity
  POLL_MIN_SECONDS: '15'
  POLL_MAX_SECONDS: '300'
  SDK_QUICK_RETRIES: '2'
  OUTAGE_MAX_MINUTES: '60'
  OUTAGE_POLL_SECONDS: '30'
  DELETE_UPLOADED_FILES: 'true'
  NOTIFY_WEBHOOK_URL: notifyWebhookUrl
  CHAT_MAX_BODY_BYTES: '1048576'
  CHAT_MAX_MESSAGES: '256'
  CHAT_MAX_TOKENS: '4096'
  DROP_SETTLE_SECONDS: '5'
  ORPHAN_COMPANION_MINUTES: '60'
  RUNS_API_ANONYMOUS: 'false'
  PUBLIC_BASE_URL: publicBaseUrl
  CHAT_REGISTRY_TTL_SECONDS: '30'
  ALIAS_GRACE_SECONDS: '86400'
  DEPLOYMENT_QUOTA: '10'
  DEPLOYMENT_QUOTA_POLICY: 'wait'
  LIFECYCLE_SCHEDULE: '0 */10 * * * *'
  IDLE_WARN_PERCENT: '80'
  IDLE_POLICY: 'none'
  IDLE_TEARDOWN_DAYS: '7'
  LAST_USE_FLUSH_SECONDS: '60'
  FT_PRICES: ''
  RECONCILE_SCHEDULE: '0 */10 * * * *'
  RECONCILE_AFTER_SECONDS: '600'
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    planId: plan.outputs.resourceId
    identityId: identity.outputs.resourceId
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    appSettings: union(functionAppSettings, durableTaskSchedulerSettings)
    notifyWebhookSecret: notifyWebhookSecret
  }
  // The host reads its package and storage as the identity from its first start: grant first.
  dependsOn: [
    rbac
  ]
}

// Outputs land in .azure/<env>/.env for azd and the postdeploy hook. Names and endpoints only:
// nothing here is a secret (the App Insights connection string is deliberately not output).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_FUNCTION_APP_URL string = api.outputs.uri
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output SERVICE_API_ENDPOINTS array = [
  '${api.outputs.uri}/api'
]
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = storage.outputs.systemTopicName
output AZURE_STORAGE_ACCOUNT_ID string = storage.outputs.id
output EVENTGRID_DEADLETTER_CONTAINER string = deadLetterContainerName
output DURABLE_BACKEND string = durableBackend
output DATASETS_CONTAINER string = datasetsContainerName
output RUNS_CONTAINER string = runsContainerName
output EVENTS_QUEUE string = eventsQueueName
output AZURE_OPENAI_ACCOUNT_NAME string = openAiAccountName
output AZURE_OPENAI_RESOURCE_GROUP string = openAiResourceGroupName
output AZURE_OPENAI_ENDPOINT string = openAiAccess.outputs.endpoint
