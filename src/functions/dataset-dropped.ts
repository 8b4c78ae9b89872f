/**
 * The drop zone's trigger: an Event Grid trigger that receives the storage account's
 * `Microsoft.Storage.BlobCreated` event for a new `<name>.jsonl` and starts intake with the blob's
 * name. The handler is thin: everything happens in intake/process-drop.ts (wired by
 * intake/app-deps.ts), which reads the blobs as streams.
 *
 * Why an Event Grid trigger and not `app.storageBlob({ source: 'EventGrid' })`: the blob trigger,
 * whatever its source, binds the blob's CONTENT — the Node.js worker receives it as a Buffer, all
 * of it, before the handler runs (the Event Grid source only changes how the host learns of the
 * blob: "source … Use EventGrid for an Event Grid-based blob trigger, which provides much lower
 * latency", learn.microsoft.com/javascript/api/@azure/functions/storageblobtriggeroptions; large
 * blobs through a non-SDK binding hit "memory limitations and gRPC limits",
 * techcommunity.microsoft.com/blog/azurecompute/azure-functions-sdk-type-bindings-for-azure-blob-storage-with-azure-functions-in/4146744).
 * A 700 MB drop took the host from ~300 MB to 1.77 GB that way. An Event Grid trigger binds the
 * event only ("Use the Event Grid trigger … Select Azure Function as the endpoint type",
 * learn.microsoft.com/azure/event-grid/handler-functions; trigger reference:
 * learn.microsoft.com/azure/azure-functions/functions-bindings-event-grid-trigger), so the trigger
 * itself holds nothing that grows with the drop, on either host (bench/drop-memory.bench.ts). The infra's postdeploy hook subscribes exactly this
 * function name (endpoint type `azurefunction`); locally `npm start` feeds it from Azurite.
 */
import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { appIntakeDeps } from '../intake/app-deps.js';
import { dropOfEvent } from '../intake/drop-event.js';
import { processDrop, type IntakeOutcome } from '../intake/process-drop.js';
import { getServices } from '../services.js';

export const DATASET_DROPPED = 'datasetDropped';

export async function datasetDropped(event: EventGridEvent, context: InvocationContext): Promise<void> {
  // The validated setting (its declared default applies): an Event Grid trigger names no path of its own.
  const drop = dropOfEvent(event, getServices().config.datasetsContainer);
  if (drop.kind === 'ignored') {
    // Acknowledged (returns normally): Event Grid would only re-deliver the same event.
    context.log(`Drop event ${String(event.id ?? '')} ignored: ${drop.reason}.`);
    return;
  }
  await intakeBlob(drop.name, context);
}

/**
 * Intake of one drop-zone blob, for every function that finds one: this trigger, and the
 * reconciliation timer (functions/reconcile-drops.ts) for files whose events were lost. The
 * calling function must have the durable client input binding.
 */
export function intakeBlob(name: string, context: InvocationContext): Promise<IntakeOutcome> {
  return processDrop(name, appIntakeDeps(df.getClient(context), (line) => context.log(line)));
}

app.eventGrid(DATASET_DROPPED, {
  extraInputs: [df.input.durableClient()],
  handler: datasetDropped,
});
