// The function app on the Flex Consumption plan: Node 22, the user-assigned identity for
// everything (deployment package, host storage, Azure OpenAI, telemetry, Key Vault references),
// and exactly the app settings main.bicep passes in.
param name string
param location string
param tags object
param planId string
@description('Resource id of the user-assigned managed identity.')
param identityId string
@description('URL of the blob container Flex Consumption deploys the app package to.')
param deploymentContainerUrl string
@description('App settings, name to value (main.bicep: functionAppSettings).')
param appSettings object
// Optional secret: set only when given, so an environment without webhook notifications carries
// no empty secret. Secure, so the value never appears in deployment history.
@secure()
param notifyWebhookSecret string = ''
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 40

var allAppSettings = union(appSettings, empty(notifyWebhookSecret) ? {} : {
  NOTIFY_WEBHOOK_SECRET: notifyWebhookSecret
})

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the deployment target of service `api` (azure.yaml) by this tag.
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: planId
    httpsOnly: true
    // Key Vault references in app settings (e.g. NOTIFY_WEBHOOK_SECRET) resolve as this identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      appSettings: [
        for setting in items(allAppSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
