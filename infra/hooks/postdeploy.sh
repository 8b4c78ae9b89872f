#!/bin/sh
# azd postdeploy hook (POSIX): deliver Microsoft.Storage.BlobCreated events for `*.jsonl` in the
# datasets container to the app's Event Grid trigger `datasetDropped` (endpoint type azurefunction).
#
# Why an Event Grid trigger: it receives the event only, while a blob trigger (even with
# source EventGrid) hands the function the whole blob as a buffer — see
# src/functions/dataset-dropped.ts. Why here and not in Bicep: an `azurefunction` endpoint is the
# function's resource id, which exists only once the code is deployed and the triggers synced, and
# Event Grid checks the endpoint when the subscription is created. So: after `azd deploy`, never
# before. No key is needed: Event Grid delivers to the function through the platform
# (learn.microsoft.com/azure/event-grid/handler-functions).
#
# Uses only az, azd's environment (outputs of infra/main.bicep arrive as environment variables)
# and shell builtins. Idempotent: `event-subscription create` is a PUT (create or replace), so a
# re-run points the subscription at the current function. Every az call names azd's
# subscription: az's own default subscription may be another one.
#
# Events Event Grid cannot deliver (30 attempts over 24 hours) are dead-lettered to a container,
# written by the system topic's identity; the app's reconciliation timer runs their files anyway.
set -eu

subscription="${AZURE_SUBSCRIPTION_ID:-}"
if [ -z "$subscription" ]; then
  subscription="$(azd env get-value AZURE_SUBSCRIPTION_ID)" || {
    echo "error: the azd environment has no AZURE_SUBSCRIPTION_ID; run azd provision first." >&2
    exit 1
  }
fi

app="${AZURE_FUNCTION_APP_NAME:?is not set: run azd provision first}"
group="${AZURE_RESOURCE_GROUP:?is not set: run azd provision first}"
topic="${AZURE_EVENTGRID_SYSTEM_TOPIC_NAME:?is not set: run azd provision first}"
storage_id="${AZURE_STORAGE_ACCOUNT_ID:?is not set: run azd provision first}"
deadletter_container="${EVENTGRID_DEADLETTER_CONTAINER:-eventgrid-deadletter}"
container="${DATASETS_CONTAINER:-datasets}"
# The drop function's name as registered with app.eventGrid(...) in src/functions/dataset-dropped.ts.
function_name="${DROP_FUNCTION_NAME:-datasetDropped}"
subscription_name="${EVENTGRID_SUBSCRIPTION_NAME:-datasets-jsonl-created}"

# Right after a deployment the host may still be starting: the function is listed only once it
# has loaded the code. Wait a few minutes, not forever.
attempts=30
pause=10

site_id="$(az functionapp show --subscription "$subscription" --resource-group "$group" --name "$app" --query id --output tsv)"

echo "Waiting for function ${function_name} on ${app}..."
i=0
while :; do
  # On Flex Consumption the function list can show only a WarmUp function after a deployment
  # until triggers are synced (what the portal's Refresh does): sync, then look. (The URL is the
  # site's resource id, so it names the subscription itself.)
  az rest --method post --url "${site_id}/host/default/sync?api-version=2024-04-01" --output none 2>/dev/null || true
  found="$(az functionapp function list --subscription "$subscription" --resource-group "$group" --name "$app" \
    --query "length([?name=='${app}/${function_name}'])" --output tsv 2>/dev/null || true)"
  [ "$found" = "1" ] && break
  i=$((i + 1))
  if [ "$i" -ge "$attempts" ]; then
    echo "error: no function named ${function_name} is deployed to ${app}." >&2
    echo "       The Event Grid subscription needs the drop function; set DROP_FUNCTION_NAME" >&2
    echo "       (azd env set DROP_FUNCTION_NAME <name>) if it is registered under another name." >&2
    exit 1
  fi
  sleep "$pause"
done

# The Event Grid trigger itself, by resource id: no URL, no key.
endpoint="${site_id}/functions/${function_name}"

# Event Grid checks the function while creating the subscription; right after a trigger sync that
# can fail, so try a few times.
echo "Subscribing ${function_name} to *.jsonl created in ${container} (${topic}/${subscription_name})..."
# `az eventgrid event-subscription create` on the storage account, not `system-topic
# event-subscription create`: only the former takes --deadletter-identity (the system-topic command
# has no such argument), and Event Grid attaches a subscription on the account to the account's
# system topic (${topic}), whose identity then writes the dead letters.
i=0
until az eventgrid event-subscription create \
  --subscription "$subscription" \
  --source-resource-id "$storage_id" \
  --name "$subscription_name" \
  --endpoint-type azurefunction \
  --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/${container}/" \
  --subject-ends-with .jsonl \
  --max-delivery-attempts 30 \
  --event-ttl 1440 \
  --deadletter-identity systemassigned \
  --deadletter-identity-endpoint "${storage_id}/blobServices/default/containers/${deadletter_container}" \
  --output none; do
  i=$((i + 1))
  if [ "$i" -ge 3 ]; then
    echo "error: could not create the Event Grid subscription; re-run with azd hooks run postdeploy." >&2
    exit 1
  fi
  sleep "$pause"
done

echo "Event Grid subscription ${subscription_name} is in place."
