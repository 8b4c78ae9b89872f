// The scale option: Durable Functions on the Durable Task Scheduler, the managed backend Microsoft
// recommends for high throughput ("Durable Task Scheduler", learn.microsoft.com/azure/durable-task/
// scheduler/durable-task-scheduler), instead of queues and tables in the app's storage account.
// Only deployed with durableBackend = 'DurableTaskScheduler' (main.bicep). The app's user-assigned
// identity gets Durable Task Data Contributor on the scheduler ("Most Durable Functions apps
// require the Durable Task Data Contributor role": learn.microsoft.com/azure/durable-task/scheduler/
// durable-task-scheduler-identity); the scheduler accepts identity-based connections only.
param name string
param location string
param tags object
@description('Task hub on the scheduler: the app\'s TASK_HUB_NAME (host.json hubName).')
param taskHubName string
@description('Principal (object) id of the function app\'s user-assigned identity.')
param appPrincipalId string
@allowed([
  'Consumption'
  'Dedicated'
])
@description('Consumption: pay per action. Dedicated: capacity units of up to 2,000 actions per second each (see README).')
param skuName string = 'Consumption'

// Built-in role definition ids. test/unit/infra.test.ts checks every GUID against its documented name.
var roles = {
  durableTaskDataContributor: '0ad04412-c4d5-4796-b79c-f76d14c8d402' // Durable Task Data Contributor
}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: skuName
    }
    // Required, and an empty list refuses every caller; access is still only by Entra ID role.
    ipAllowlist: [
      '0.0.0.0/0'
    ]
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource appAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scheduler.id, appPrincipalId, roles.durableTaskDataContributor)
  scope: scheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.durableTaskDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
