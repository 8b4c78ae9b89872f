// What the function app's identity may do on the Azure OpenAI account, deployed into the account's
// own resource group (the app's, or an existing account's anywhere else).
//
// One built-in role, scoped to this one account: Cognitive Services OpenAI Contributor. It covers
// everything the pipeline does — upload files, run and watch fine-tuning jobs, chat with the
// deployed model (data actions), and create, read and delete model deployments through Azure
// Resource Manager (its actions include Microsoft.CognitiveServices/accounts/deployments/write and
// /delete; "Azure built-in roles", AI + machine learning, learn.microsoft.com/azure/
// role-based-access-control/built-in-roles/ai-machine-learning). It does not grant listing or
// regenerating keys or rewriting the account (turning local auth back on), which the broader
// Cognitive Services Contributor would. Being built-in, nothing outlives `azd down`, nothing waits
// for a role definition to propagate, and assigning it needs only what the official azd samples
// need (Role Based Access Control Administrator or User Access Administrator, or Owner).
targetScope = 'resourceGroup'

param accountName string
@description('Principal (object) id of the function app\'s user-assigned identity.')
param appPrincipalId string

// Built-in role definition ids. test/unit/infra.test.ts checks every GUID against its documented name.
var roles = {
  cognitiveServicesOpenAIContributor: 'a001fd3d-188f-4b5d-821b-7da978bf7442' // Cognitive Services OpenAI Contributor
}

resource account 'Microsoft.CognitiveServices/accounts@2025-06-01' existing = {
  name: accountName
}

resource appOpenAiContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, roles.cognitiveServicesOpenAIContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.cognitiveServicesOpenAIContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = account.properties.endpoint
