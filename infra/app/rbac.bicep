// Data-plane roles in the app's resource group, least privilege for each principal:
//  - the app's identity: what the Functions host and Durable Functions need on their storage
//    (blob lease/containers, queues, tables) and the right to publish telemetry to an
//    Application Insights resource that accepts Entra ID only;
//  - the Event Grid system topic's identity: write undeliverable events to the dead-letter
//    container, and nothing else;
//  - the person (or CI principal) running azd, optional: drop datasets (blob read/write on the
//    drop zone) and read runs (blob read), read dead-lettered events, read the notification
//    queue. Not the whole account: the host's keys, the app package and the Durable Functions
//    queues and tables stay out of reach. Nothing on Azure OpenAI: the pipeline, not the user,
//    talks to it.
param storageAccountName string
param applicationInsightsName string
@description('Principal (object) id of the function app\'s user-assigned identity.')
param appPrincipalId string
@description('Principal (object) id of the Event Grid system topic\'s identity (dead-lettering).')
param eventGridPrincipalId string
param datasetsContainerName string
param runsContainerName string
param deadLetterContainerName string
param eventsQueueName string
@description('Object id of the deploying user or CI principal; empty: no assignments for it.')
param userPrincipalId string = ''
// Empty: the assignment does not state a type and Azure looks the principal up itself, which is
// right for a user and for a service principal alike. Stating ServicePrincipal only helps a
// principal created moments before (directory replication delay).
@allowed([
  ''
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string = ''

// Built-in role definition ids. test/unit/infra.test.ts checks every GUID against its documented name.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1' // Storage Blob Data Reader
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
}

var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

var withUser = !empty(userPrincipalId)
var userType = empty(userPrincipalType) ? null : userPrincipalType

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource datasets 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: datasetsContainerName
}

resource runs 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: runsContainerName
}

resource deadLetters 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: deadLetterContainerName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource events 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: queueService
  name: eventsQueueName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appStorageAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appStorageRoles: {
    name: guid(storage.id, appPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource eventGridDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetters.id, eventGridPrincipalId, roles.storageBlobDataContributor)
  scope: deadLetters
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: eventGridPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userDatasets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  name: guid(datasets.id, userPrincipalId, roles.storageBlobDataContributor)
  scope: datasets
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: userPrincipalId
    principalType: userType
  }
}

resource userRuns 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  name: guid(runs.id, userPrincipalId, roles.storageBlobDataReader)
  scope: runs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: userPrincipalId
    principalType: userType
  }
}

resource userDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  name: guid(deadLetters.id, userPrincipalId, roles.storageBlobDataReader)
  scope: deadLetters
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
    principalId: userPrincipalId
    principalType: userType
  }
}

resource userEvents 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withUser) {
  name: guid(events.id, userPrincipalId, roles.storageQueueDataContributor)
  scope: events
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: userPrincipalId
    principalType: userType
  }
}
