/** Dataset validation: streaming JSONL reading, format checks, token counts, statistics, reports. */
export * from './models.js';
export * from './findings.js';
export * from './report.js';
export { validateDataset, DEFAULT_MAX_ERRORS, DEFAULT_MAX_FILE_BYTES, MIN_TRAINING_EXAMPLES } from './validate.js';
export type { DatasetFile, ValidateOptions, ByteSource } from './validate.js';
export { TokenCounter } from './token-counter.js';
export { renderMarkdown } from './render-markdown.js';
export { defaultEpochs, estimateTraining, type Estimate } from './estimate.js';
export { checkGrader, type GraderReport } from './grader-checks.js';
export { readImageHeader } from './vision-checks.js';
