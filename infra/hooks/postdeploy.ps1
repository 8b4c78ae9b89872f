#!/usr/bin/env pwsh
# azd postdeploy hook (Windows, PowerShell 7): deliver Microsoft.Storage.BlobCreated events for
# `*.jsonl` in the datasets container to the app's Event Grid trigger (endpoint type azurefunction).
# Same steps as postdeploy.sh; see there for why this runs after deployment and not in Bicep.
# Uses only az, azd's environment (outputs of infra/main.bicep arrive as environment variables)
# and PowerShell itself. Idempotent: `event-subscription create` is a PUT (create or replace).
# Every az call names azd's subscription; undeliverable events are dead-lettered to a container.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Get-Setting([string] $Name, [string] $Default) {
    $value = [Environment]::GetEnvironmentVariable($Name)
    if ($value) { return $value }
    if ($Default) { return $Default }
    throw "$Name is not set: run azd provision first"
}

$app = Get-Setting 'AZURE_FUNCTION_APP_NAME' ''
$group = Get-Setting 'AZURE_RESOURCE_GROUP' ''
$topic = Get-Setting 'AZURE_EVENTGRID_SYSTEM_TOPIC_NAME' ''
$storageId = Get-Setting 'AZURE_STORAGE_ACCOUNT_ID' ''
$deadLetterContainer = Get-Setting 'EVENTGRID_DEADLETTER_CONTAINER' 'eventgrid-deadletter'
# azd's subscription, not az's default one.
$subscription = [Environment]::GetEnvironmentVariable('AZURE_SUBSCRIPTION_ID')
if (-not $subscription) {
    $subscription = azd env get-value AZURE_SUBSCRIPTION_ID
    if ($LASTEXITCODE -ne 0 -or -not $subscription) { Write-Error 'The azd environment has no AZURE_SUBSCRIPTION_ID; run azd provision first.' }
}
$container = Get-Setting 'DATASETS_CONTAINER' 'datasets'
# The drop function's name as registered with app.eventGrid(...) in src/functions/dataset-dropped.ts.
$functionName = Get-Setting 'DROP_FUNCTION_NAME' 'datasetDropped'
$subscriptionName = Get-Setting 'EVENTGRID_SUBSCRIPTION_NAME' 'datasets-jsonl-created'

# Right after a deployment the host may still be starting; wait a few minutes, not forever.
$attempts = 30
$pause = 10

$siteId = az functionapp show --subscription $subscription --resource-group $group --name $app --query id --output tsv
if ($LASTEXITCODE -ne 0) { Write-Error "Could not read $app." }

Write-Host "Waiting for function $functionName on $app..."
for ($i = 1; ; $i++) {
    # On Flex Consumption the function list can show only a WarmUp function after a deployment
    # until triggers are synced (what the portal's Refresh does): sync, then look.
    az rest --method post --url "$siteId/host/default/sync?api-version=2024-04-01" --output none 2>$null
    $count = az functionapp function list --subscription $subscription --resource-group $group --name $app `
        --query "length([?name=='$app/$functionName'])" --output tsv 2>$null
    if ($LASTEXITCODE -eq 0 -and $count -eq '1') { break }
    if ($i -ge $attempts) {
        Write-Error ("No function named $functionName is deployed to $app. The Event Grid subscription needs the " +
            'drop function; set DROP_FUNCTION_NAME (azd env set DROP_FUNCTION_NAME <name>) if it is registered under another name.')
    }
    Start-Sleep -Seconds $pause
}

# The Event Grid trigger itself, by resource id: no URL, no key (see postdeploy.sh).
$endpoint = "$siteId/functions/$functionName"

Write-Host "Subscribing $functionName to *.jsonl created in $container ($topic/$subscriptionName)..."
for ($i = 1; ; $i++) {
    # On the storage account, not `system-topic event-subscription create`: see postdeploy.sh.
    az eventgrid event-subscription create `
        --subscription $subscription `
        --source-resource-id $storageId `
        --name $subscriptionName `
        --endpoint-type azurefunction `
        --endpoint $endpoint `
        --included-event-types Microsoft.Storage.BlobCreated `
        --subject-begins-with "/blobServices/default/containers/$container/" `
        --subject-ends-with .jsonl `
        --max-delivery-attempts 30 `
        --event-ttl 1440 `
        --deadletter-identity systemassigned `
        --deadletter-identity-endpoint "$storageId/blobServices/default/containers/$deadLetterContainer" `
        --output none
    if ($LASTEXITCODE -eq 0) { break }
    if ($i -ge 3) {
        Write-Error 'Could not create the Event Grid subscription; re-run with azd hooks run postdeploy.'
    }
    # Event Grid checks the function while creating the subscription; right after a sync that can fail.
    Start-Sleep -Seconds $pause
}

Write-Host "Event Grid subscription $subscriptionName is in place."
