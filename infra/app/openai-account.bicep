// A new Azure OpenAI account, created only when no existing account is passed to main.bicep.
// Keyless: local (API-key) authentication is disabled, so the account answers Entra ID tokens only;
// the custom subdomain is what makes Entra ID authentication possible at all.
param name string
@description('A region where fine-tuning of the chosen base model is offered.')
param location string
param tags object
@description('Restore a soft-deleted account of this name (after the resource group was deleted without purging it) instead of failing because the soft-deleted account still holds the name. Purge it instead with az cognitiveservices account purge.')
param restore bool = false

resource account 'Microsoft.CognitiveServices/accounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    restore: restore
  }
}

output name string = account.name
