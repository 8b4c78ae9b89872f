// What the function app's identity may do on the Azure OpenAI account, deployed into the account's
// own resource group (the app's, or an existing account's anywhere else).
//
// The pipeline needs two kinds of access, and nothing else:
//  - data plane (upload files, run and watch fine-tuning jobs, chat with the deployed model):
//    the built-in Cognitive Services OpenAI Contributor role, scoped to this one account;
//  - management plane, to create, read and delete model deployments through Azure Resource Manager:
//    a custom role with exactly Microsoft.CognitiveServices/accounts/deployments/* plus read of the
//    account, scoped to this one account.
// The custom role is preferred over the built-in Cognitive Services Contributor, which grants
// Microsoft.CognitiveServices/* — listing and regenerating the account's keys and rewriting the
// account itself (turning local auth back on, deleting it, creating new accounts in scope). An
// identity holding that could undo the keyless design; this one cannot. (The built-in OpenAI
// Contributor currently also lists deployments/write and deployments/delete; the custom role keeps
// the pipeline's one management-plane need explicit and working should that definition change.)
targetScope = 'resourceGroup'

param accountName string
@description('Principal (object) id of the function app\'s user-assigned identity.')
param appPrincipalId string

// Built-in role definition ids. test/unit/infra.test.ts checks every GUID against its documented name.
var roles = {
  cognitiveServicesOpenAIContributor: 'a001fd3d-188f-4b5d-821b-7da978bf7442' // Cognitive Services OpenAI Contributor
}

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: accountName
}

// Custom role names are unique per tenant, so the name carries a hash of the resource group id.
// The definition is a subscription-level object: deleting the resource group (azd down) leaves it
// behind; the README's teardown section removes it.
resource deploymentWriterRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'finetune-pipeline-deployment-writer')
  properties: {
    roleName: 'finetune-pipeline deployment writer ${uniqueString(resourceGroup().id)}'
    description: 'Create, read and delete model deployments of Azure OpenAI accounts; nothing else (no keys, no account changes).'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.CognitiveServices/accounts/read'
          'Microsoft.CognitiveServices/accounts/deployments/*'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
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

resource appDeploymentWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, appPrincipalId, deploymentWriterRole.name)
  scope: account
  properties: {
    // The subscription-level id form, the one role assignments expect.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', deploymentWriterRole.name)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
  // Explicit: the id above is built from the definition's name, and the definition must exist first.
  dependsOn: [
    deploymentWriterRole
  ]
}

output endpoint string = account.properties.endpoint
output deploymentWriterRoleName string = deploymentWriterRole.properties.roleName
