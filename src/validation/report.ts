import type { Estimate } from './estimate.js';
import type { Finding } from './findings.js';
import type { Summary } from './histogram.js';
import type { EncodingName } from './models.js';

export type FileRole = 'training' | 'validation';

export interface FileReport {
  role: FileRole;
  path: string;
  bytes: number;
  sha256: string;
  /** Examples read: non-blank lines, each one meant to be an example. */
  examples: number;
  /** Examples read whose line raised no error (warnings allowed). */
  validExamples: number;
  /** Examples the token and message statistics cover (those that could be parsed and counted). */
  measuredExamples: number;
  /** The first `maxErrors` errors; `errorCount` has them all. */
  errors: Finding[];
  warnings: Finding[];
  errorCount: number;
  warningCount: number;
  tokens: { total: Summary; assistant: Summary };
  messages: Summary;
  /** Examples over the model's per-example token limit. */
  tooLong: number;
  /**
   * How duplicates and train/validation overlap were checked: `distinct` examples remembered by
   * 64-bit fingerprint; `falseDuplicateBound` bounds the probability that any reported duplicate
   * is not one (n²/2⁶⁵); `notRemembered` distinct examples came after the set was full (0 in
   * practice; see example-set.ts) and were checked only against the remembered ones.
   */
  duplicateCheck: { distinct: number; falseDuplicateBound: number; notRemembered: number };
  /** Informational remarks about how the file was checked. */
  notes: string[];
}

export interface ValidationReport {
  valid: boolean;
  model: string;
  encoding: EncodingName;
  maxExampleTokens: number;
  files: FileReport[];
  estimate: Estimate;
}
