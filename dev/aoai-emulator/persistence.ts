/**
 * Emulator state on disk, so the local stack survives a restart of `npm start` the way Azure does
 * (Azure keeps training while your machine is off; jobs, files and deployments are still there).
 *
 * Layout in the state directory: `state.json` (everything but file contents, written atomically
 * by rename after each request that may have changed it) and `files/<id>` (each file's bytes,
 * written once). Timestamps are wall-clock, so a job keeps "training" while the emulator is down
 * and is found finished (or further along) after the restart.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorState, FineTunedModel, StoredDeployment, StoredFile, StoredJob, StoredOperation } from './state.js';

const FORMAT = 1;

interface Snapshot {
  format: number;
  seed: number;
  ids: number;
  faultRng: number;
  jobCount: number;
  jobClock: number;
  files: Array<Omit<StoredFile, 'content'>>;
  jobs: StoredJob[];
  models: FineTunedModel[];
  deployments: Array<[string, StoredDeployment]>;
  operations: StoredOperation[];
}

export class StateStore {
  private readonly written = new Set<string>();
  private lastJson = '';

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'files'), { recursive: true });
  }

  get statePath(): string {
    return join(this.dir, 'state.json');
  }

  /** Restores a saved state into `state` (fresh); false when there is none. */
  load(state: EmulatorState): boolean {
    if (!existsSync(this.statePath)) return false;
    const snapshot = JSON.parse(readFileSync(this.statePath, 'utf8')) as Snapshot;
    if (snapshot.format !== FORMAT) throw new Error(`${this.statePath}: unknown state format ${snapshot.format}; delete the file to start afresh`);
    if (snapshot.seed !== state.seed) throw new Error(`${this.statePath} was written with seed ${snapshot.seed}, not ${state.seed}; delete it or start with that seed`);
    state.ids.position = snapshot.ids;
    state.faultRng.position = snapshot.faultRng;
    state.jobCount = snapshot.jobCount;
    state.jobClock = snapshot.jobClock;
    for (const file of snapshot.files) {
      const content = readFileSync(join(this.dir, 'files', file.id));
      state.files.set(file.id, { ...file, content });
      this.written.add(file.id);
    }
    for (const job of snapshot.jobs) state.jobs.set(job.id, job);
    for (const model of snapshot.models) state.models.set(model.name, model);
    for (const operation of snapshot.operations) state.operations.set(operation.id, operation);
    for (const [key, deployment] of snapshot.deployments) {
      // One operation object is shared by the deployment's pending change and the operations map.
      if (deployment.pending) deployment.pending.operation = state.operations.get(deployment.pending.operation.id) ?? deployment.pending.operation;
      state.deployments.set(key, deployment);
    }
    return true;
  }

  /** Writes what changed since the last save. */
  save(state: EmulatorState): void {
    for (const [id, file] of state.files) {
      if (this.written.has(id)) continue;
      writeFileSync(join(this.dir, 'files', id), file.content);
      this.written.add(id);
    }
    for (const id of [...this.written]) {
      if (state.files.has(id)) continue;
      rmSync(join(this.dir, 'files', id), { force: true });
      this.written.delete(id);
    }
    const snapshot: Snapshot = {
      format: FORMAT,
      seed: state.seed,
      ids: state.ids.position,
      faultRng: state.faultRng.position,
      jobCount: state.jobCount,
      jobClock: state.jobClock,
      files: [...state.files.values()].map(({ content: _content, ...rest }) => rest),
      jobs: [...state.jobs.values()],
      models: [...state.models.values()],
      deployments: [...state.deployments.entries()],
      operations: [...state.operations.values()],
    };
    const json = JSON.stringify(snapshot);
    if (json === this.lastJson) return;
    const temp = `${this.statePath}.tmp`;
    writeFileSync(temp, json);
    renameSync(temp, this.statePath);
    this.lastJson = json;
  }
}
