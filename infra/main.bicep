// The whole finetune-pipeline system for `azd up`, keyless: every service-to-service call is made
// with the function app's user-assigned managed identity, and every account that could hand out a
// key has key access turned off (storage shared keys, Azure OpenAI local auth, App Insights local
// auth). Deployed at subscription scope because it creates the resource group.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment. Names the resource group and seeds the unique suffix of every resource.')
param environmentName string

@minLength(1)
@description('Region of the resource group, the function app (must offer Flex Consumption), storage and monitoring.')
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

@description('Object id of the person (or CI principal) running azd; gets data access to drop datasets and read runs. Empty: no role assignments for it.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Kind of principal principalId is: User for a developer login, ServicePrincipal for CI.')
param principalType string = 'User'

// App settings meant to be tuned per environment: `azd env set <NAME> <value>` and `azd provision`.
// Every other setting is pinned below to the default declared in src/config.ts.
@description('FT_BASE_MODEL: base model fine-tuned when a dataset\'s options do not name one.')
param ftBaseModel string = 'gpt-4o-mini-2024-07-18'

@allowed([
  ''
  'Standard'
  'GlobalStandard'
  'Developer'
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
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

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
  DELETE_UPLOADED_FILES: 'true'
  NOTIFY_WEBHOOK_URL: notifyWebhookUrl
  CHAT_MAX_BODY_BYTES: '1048576'
  CHAT_MAX_MESSAGES: '256'
  CHAT_MAX_TOKENS: '4096'
  DROP_SETTLE_SECONDS: '5'
  ORPHAN_COMPANION_MINUTES: '60'
  RUNS_API_ANONYMOUS: 'false'
  PUBLIC_BASE_URL: publicBaseUrl
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
    appSettings: functionAppSettings
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
output DATASETS_CONTAINER string = datasetsContainerName
output RUNS_CONTAINER string = runsContainerName
output EVENTS_QUEUE string = eventsQueueName
output AZURE_OPENAI_ACCOUNT_NAME string = openAiAccountName
output AZURE_OPENAI_RESOURCE_GROUP string = openAiResourceGroupName
output AZURE_OPENAI_ENDPOINT string = openAiAccess.outputs.endpoint
// The custom role outlives `azd down` (role definitions are subscription-level); README, teardown.
output AZURE_OPENAI_DEPLOYMENT_ROLE_NAME string = openAiAccess.outputs.deploymentWriterRoleName
