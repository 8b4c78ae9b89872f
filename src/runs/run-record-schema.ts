/**
 * Schemas (zod) for the JSON documents the app reads back from storage: `run.json` and the
 * deployment registry's records. They are written by this app, but also by older versions of it
 * and by people repairing a run by hand, so a read checks the shape and names the file and field
 * that is wrong instead of failing later on `undefined`. zod rather than hand-written checks: one
 * declaration gives the check, the message and (with `satisfies`) a compile-time tie to the types.
 *
 * Only what readers rely on is strict; `options` is checked as an object and typed by the options
 * parser (src/runs/run-options.ts), which owns its fields.
 */
import { z } from 'zod';
import type { DeploymentRecord } from './deployment-registry.js';
import { RUN_STATUSES, type RunOptions, type RunRecord } from './run-record.js';

const phase = z.object({ startedAt: z.string(), endedAt: z.string().optional() });
const inputFile = z.object({ blob: z.string(), snapshot: z.string(), bytes: z.number(), sha256: z.string(), etag: z.string().optional() });
const finding = z.object({ line: z.number().nullable(), code: z.string(), message: z.string(), field: z.string().optional() });

export const runRecordSchema = z.looseObject({
  runId: z.string().min(1),
  dataset: z.string(),
  status: z.enum(RUN_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  phases: z.partialRecord(z.enum(RUN_STATUSES), phase),
  inputs: z.object({ training: inputFile, validation: inputFile.optional(), options: inputFile.optional(), eval: inputFile.optional(), grader: inputFile.optional() }),
  options: z.custom<RunOptions>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object').optional(),
  validation: z
    .looseObject({
      valid: z.boolean(),
      errorCount: z.number(),
      warningCount: z.number(),
      errors: z.array(finding),
      trainingTokens: z.number(),
      estimatedBilledTokens: z.number(),
    })
    .optional(),
  files: z.object({ training: z.string().optional(), validation: z.string().optional(), deleted: z.boolean().optional() }).optional(),
  job: z.looseObject({ id: z.string(), status: z.string() }).optional(),
  deployment: z.looseObject({ name: z.string(), model: z.string(), sku: z.string(), capacity: z.number(), chatUrl: z.string() }).optional(),
  artifacts: z.array(z.string()),
  error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
  notificationFailures: z.array(z.object({ event: z.string(), at: z.string(), error: z.string() })).optional(),
  attempt: z.number().int().min(1).optional(),
  previousAttempts: z
    .array(
      z.looseObject({
        attempt: z.number(),
        status: z.enum(RUN_STATUSES),
        startedAt: z.string(),
        endedAt: z.string(),
        jobId: z.string().optional(),
        fineTunedModel: z.string().optional(),
        error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
      }),
    )
    .optional(),
  notifications: z.array(z.object({ id: z.string(), type: z.string(), at: z.string(), webhook: z.enum(['delivered', 'failed', 'not configured']) })).optional(),
  cancellation: z
    .looseObject({ at: z.string(), phase: z.enum(RUN_STATUSES), by: z.enum(['api', 'service']), outcome: z.enum(['cancelled', 'completed']) })
    .optional(),
});

export const deploymentRecordSchema = z.looseObject({
  deploymentName: z.string().min(1),
  dataset: z.string(),
  model: z.string().min(1),
  runId: z.string().min(1),
  // Not checked by earlier versions' readers; records without it stay usable.
  updatedAt: z.string().default(''),
});

/** A stored document that does not have the expected shape; the message names the blob and field. */
export class InvalidRecordError extends Error {
  constructor(readonly blobName: string, problem: string) {
    super(`${blobName}: ${problem}`);
    this.name = 'InvalidRecordError';
  }
}

function parse<T>(schema: z.ZodType, text: string, blobName: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidRecordError(blobName, `not valid JSON (${(error as Error).message})`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const where = (path: readonly PropertyKey[]): string => (path.length > 0 ? path.map(String).join('.') : '(document)');
    // Absent fields read best as one list; every other problem names its field and what is wrong.
    const isMissing = (i: z.core.$ZodIssue): boolean => i.code === 'invalid_type' && / received undefined$/.test(i.message);
    const missing = result.error.issues.filter(isMissing).map((i) => where(i.path));
    const problems = [
      ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
      ...result.error.issues.filter((i) => !isMissing(i)).map((i) => `${where(i.path)}: ${i.message}`),
    ];
    throw new InvalidRecordError(blobName, problems.join('; '));
  }
  return result.data as T;
}

export function parseRunRecord(text: string, blobName: string): RunRecord {
  return parse<RunRecord>(runRecordSchema, text, blobName);
}

export function parseDeploymentRecord(text: string, blobName: string): DeploymentRecord {
  return parse<DeploymentRecord>(deploymentRecordSchema, text, blobName);
}
