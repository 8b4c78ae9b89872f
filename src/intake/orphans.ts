/**
 * Validation and options files whose training file never came: found by a cheap periodic sweep
 * (one listing of the drop zone, no reads), reported once each as `drop.ignored`
 * (`orphan_companion`). "Once" is a marker blob per blob version in the runs container, created
 * conditionally, so overlapping sweeps or instances never report twice.
 */
import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { dropEvent } from '../notify/events.js';
import { publish, type PublishDeps } from '../notify/publish.js';
import type { RunStore } from '../runs/run-store.js';
import { TRAINING_SUFFIX } from './drop-name.js';
import { orphanCompanions, type ListedBlob } from './plan.js';

export const ORPHAN_MARKERS = 'intake/orphans-reported/';

export interface OrphanSweepDeps {
  datasets: ContainerClient;
  store: RunStore;
  publish: PublishDeps;
  orphanMinutes: number;
}

/** Reports companions older than `orphanMinutes` without their training file; returns the blobs reported now. */
export async function reportOrphanCompanions(deps: OrphanSweepDeps, now: Date): Promise<string[]> {
  if (!(await deps.datasets.exists())) return [];
  const blobs: ListedBlob[] = [];
  for await (const item of deps.datasets.listBlobsFlat()) {
    blobs.push({ name: item.name, etag: item.properties.etag ?? '', lastModified: item.properties.lastModified });
  }
  const reported: string[] = [];
  for (const orphan of orphanCompanions(blobs, now, deps.orphanMinutes)) {
    const marker = `${ORPHAN_MARKERS}${createHash('sha256').update(`${orphan.name}\n${orphan.etag}`).digest('hex')}`;
    if (!(await deps.store.markOnce(marker))) continue;
    const reason = `uploaded ${orphan.lastModified.toISOString()}, but ${orphan.dataset}${TRAINING_SUFFIX} has not arrived after ${deps.orphanMinutes} minutes; nothing is trained until it does`;
    deps.publish.log(`${orphan.name}: ${reason}.`);
    await publish(dropEvent(orphan.name, orphan.etag, now.toISOString(), { code: 'orphan_companion', reason }), deps.publish);
    reported.push(orphan.name);
  }
  return reported;
}
