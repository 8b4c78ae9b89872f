/**
 * Every value of the status enums in the descriptions has a decided meaning for the pipeline's
 * wait loops (none polls forever: waiting values are bounded by time), and the lists of Azure
 * facts the app and the emulator keep agree with the descriptions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { ARM_API_VERSIONS, DATA_PLANE_API_VERSIONS, PROVISIONING_STATES } from '../../dev/aoai-emulator/azure-facts.js';
import { KNOWN_API_VERSIONS, DEFAULT_API_VERSION } from '../../src/azure/api-versions.js';
import { DEFAULT_WAIT_LIMITS, deploymentOutcome, fileOutcome, jobOutcome } from '../../src/orchestrators/wait-outcomes.js';
import { AOAI_SPEC, ARM_SPEC, readSpec } from './descriptions.js';

const aoai = readSpec(AOAI_SPEC);
const arm = readSpec(ARM_SPEC);
const FILE_STATES: string[] = aoai['definitions']['FileState']['enum'];
const JOB_STATES: string[] = aoai['definitions']['FineTuningState']['enum'];
const DEPLOYMENT_STATES: string[] = arm['definitions']['DeploymentProperties']['properties']['provisioningState']['enum'];
const limits = DEFAULT_WAIT_LIMITS;
const beyond = (seconds: number) => seconds + 1;

describe('wait loops: an exit for every status in the descriptions', () => {
  it.each(FILE_STATES)('file %s', (status) => {
    const now = fileOutcome('training', 'file-1', status, undefined, 0, limits);
    expect(['done', 'fail', 'wait']).toContain(now.kind);
    if (now.kind === 'wait') expect(fileOutcome('training', 'file-1', status, undefined, beyond(limits.fileProcessingSeconds), limits).kind).toBe('fail');
    if (status === 'deleted' || status === 'error') expect(now.kind).toBe('fail');
  });

  it.each(JOB_STATES)('job %s', (status) => {
    const now = jobOutcome({ jobId: 'ftjob-1', status, waitedSeconds: 0 }, limits);
    if (now.kind === 'wait') expect(jobOutcome({ jobId: 'ftjob-1', status, waitedSeconds: beyond(limits.jobSeconds) }, limits).kind).toBe('fail');
    if (now.kind === 'paused') expect(jobOutcome({ jobId: 'ftjob-1', status, waitedSeconds: 0, pausedSeconds: beyond(limits.pausedSeconds) }, limits).kind).toBe('fail');
    const expected: Record<string, string> = { succeeded: 'done', failed: 'fail', cancelled: 'cancelled', paused: 'paused' };
    expect(now.kind).toBe(expected[status] ?? 'wait');
  });

  it.each(DEPLOYMENT_STATES)('deployment %s', (state) => {
    const view = { name: 'd', provisioningState: state, model: 'm', expectedModel: 'm', waitedSeconds: 0 };
    const now = deploymentOutcome(view, limits);
    if (now.kind === 'wait') expect(deploymentOutcome({ ...view, waitedSeconds: beyond(limits.deploymentSeconds) }, limits).kind).toBe('fail');
    const expected: Record<string, string> = { Succeeded: 'done', Failed: 'fail', Canceled: 'fail', Disabled: 'fail', Deleting: 'fail' };
    expect(now.kind).toBe(expected[state] ?? 'wait');
  });

  it('a status newer than the descriptions is waited on, within the bound', () => {
    expect(jobOutcome({ jobId: 'j', status: 'validating_files', waitedSeconds: 0 }, limits).kind).toBe('wait');
    expect(jobOutcome({ jobId: 'j', status: 'validating_files', waitedSeconds: beyond(limits.jobSeconds) }, limits)).toMatchObject({ kind: 'fail', code: 'job_timeout' });
  });
});

describe('Azure facts agree with the descriptions', () => {
  it('the emulator’s provisioning states are the description’s (no Updating)', () => {
    expect([...PROVISIONING_STATES].sort()).toEqual([...DEPLOYMENT_STATES].sort());
  });

  it('the descriptions’ own api-versions are served, and every version the app accepts is one the emulator serves', () => {
    expect(DATA_PLANE_API_VERSIONS).toContain(aoai['info']['version']);
    expect(ARM_API_VERSIONS).toContain(arm['info']['version']);
    expect(KNOWN_API_VERSIONS.filter((v) => !DATA_PLANE_API_VERSIONS.includes(v))).toEqual([]);
    expect(DEFAULT_API_VERSION).toBe(aoai['info']['version']);
  });
});

describe('the emulator is independent of the app', () => {
  it('no emulator module imports from src/ (Azure decides, not the app)', () => {
    const dir = path.join(REPO_ROOT, 'dev/aoai-emulator');
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from '(\.\.\/)+src\//.test(readFileSync(path.join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
