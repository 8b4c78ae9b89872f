// A new Azure OpenAI account, created only when no existing account is passed to main.bicep.
// Keyless: local (API-key) authentication is disabled, so the account answers Entra ID tokens only;
// the custom subdomain is what makes Entra ID authentication possible at all.
param name string
@description('A region where fine-tuning of the chosen base model is offered.')
param location string
param tags object

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
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
  }
}

output name string = account.name
