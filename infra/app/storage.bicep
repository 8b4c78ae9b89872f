// The storage account that is both the Functions host's storage (Durable Functions task hub,
// deployment package) and the pipeline's data: the `datasets` drop zone, `runs` artifacts and the
// `finetune-events` notification queue. Keyless: shared-key access is off, so every client —
// the app, Event Grid's delivery, a user's `az storage blob upload --auth-mode login` — uses Entra ID.
param name string
param location string
param tags object
param containerNames array
param queueNames array
@description('Event Grid system topic for the account\'s blob events; the postdeploy hook subscribes the blob trigger to it.')
param systemTopicName string
@description('Days a deleted or overwritten blob stays recoverable (blob soft delete), and a deleted container.')
@minValue(1)
@maxValue(365)
param softDeleteDays int = 7

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Soft delete: a drop-zone file deleted or overwritten by mistake (the pipeline never does either)
// can be undeleted for softDeleteDays, and so can a deleted container.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

// Blob-created events leave the account through this topic. The subscription that delivers them to
// the app's Event Grid trigger `datasetDropped` (endpoint type AzureFunction: the function's
// resource id) is made after code deployment (infra/hooks/postdeploy.*), because that function
// resource exists only once the code is deployed and Event Grid checks it on creation. The
// topic's own identity writes events that could not be delivered to the dead-letter container
// (shared keys are off, so Event Grid must authenticate with Entra ID; app/rbac.bicep grants it).
resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output systemTopicName string = systemTopic.name
output systemTopicPrincipalId string = systemTopic.identity.principalId
