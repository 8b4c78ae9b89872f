/**
 * What a blob in the drop zone is, from its name alone (pure). Exact, case-sensitive suffixes
 * decide — `<name>.jsonl` starts a (paid) training run, so a guess must never start one — but a
 * name that is close to a convention (wrong case, a trailing dot, a compressed or differently named
 * JSON Lines file, an empty dataset name) is recognised as a likely mistake, so it can be reported
 * with the name that would have worked instead of being ignored silently.
 */
export const TRAINING_SUFFIX = '.jsonl';
export const VALIDATION_SUFFIX = '.validation.jsonl';
export const OPTIONS_SUFFIX = '.json';
/** Reserved for the evaluation gate and reinforcement grader (DESIGN.md): never training data. */
export const EVAL_SUFFIX = '.eval.jsonl';
export const GRADER_SUFFIX = '.grader.json';

/** Companion files of `<name>.jsonl`, read when the training file arrives. */
export type CompanionRole = 'validation' | 'options' | 'eval' | 'grader';

export type IgnoreCode =
  | 'not_a_dataset_file'
  | 'folder_marker'
  | 'wrong_case'
  | 'trailing_characters'
  | 'unsupported_format'
  | 'empty_name';

export type DropName =
  | { kind: 'training'; dataset: string }
  | { kind: 'companion'; role: CompanionRole; dataset: string }
  | {
      kind: 'ignored';
      code: IgnoreCode;
      reason: string;
      /** Looks like a mistake the uploader wants to hear about (reported), not an unrelated file (logged only). */
      mistake: boolean;
      /** The name that would have worked, when there is one. */
      suggestion?: string;
    };

const COMPANIONS: ReadonlyArray<readonly [string, CompanionRole]> = [
  [VALIDATION_SUFFIX, 'validation'],
  [EVAL_SUFFIX, 'eval'],
  [GRADER_SUFFIX, 'grader'],
];
/** Longest first, so `.validation.jsonl` wins over `.jsonl` and `.grader.json` over `.json`. */
const KNOWN_SUFFIXES = [VALIDATION_SUFFIX, EVAL_SUFFIX, GRADER_SUFFIX, TRAINING_SUFFIX, OPTIONS_SUFFIX];
/** JSON Lines under another name or compressed: the service (and the validator) read plain UTF-8 `.jsonl` only. */
const UNSUPPORTED = /\.(ndjson|jsonlines|jsonl\.(gz|gzip|zip|bz2|xz|zst|7z)|json\.(gz|zip))$/i;

function exact(blobName: string): Extract<DropName, { dataset: string }> | undefined {
  for (const [suffix, role] of COMPANIONS) {
    if (blobName.endsWith(suffix)) return { kind: 'companion', role, dataset: blobName.slice(0, -suffix.length) };
  }
  if (blobName.endsWith(TRAINING_SUFFIX)) return { kind: 'training', dataset: blobName.slice(0, -TRAINING_SUFFIX.length) };
  if (blobName.endsWith(OPTIONS_SUFFIX)) return { kind: 'companion', role: 'options', dataset: blobName.slice(0, -OPTIONS_SUFFIX.length) };
  return undefined;
}

/** The known suffix `name` ends with when compared case-insensitively, with the name's own spelling. */
function suffixIgnoringCase(name: string): string | undefined {
  const lower = name.toLowerCase();
  return KNOWN_SUFFIXES.find((s) => lower.endsWith(s));
}

function withSuffixLowered(name: string, suffix: string): string {
  return name.slice(0, -suffix.length) + suffix;
}

export function classifyDropName(blobName: string): DropName {
  if (blobName.endsWith('/')) {
    return { kind: 'ignored', code: 'folder_marker', reason: 'a folder marker, not a file', mistake: false };
  }
  const known = exact(blobName);
  if (known) {
    // `.jsonl`, `team/.jsonl`: there is no dataset name to train, alias or deploy under.
    if (known.dataset === '' || known.dataset.endsWith('/')) {
      return { kind: 'ignored', code: 'empty_name', reason: `the dataset name before '${blobName.slice(known.dataset.length)}' is empty`, mistake: true };
    }
    return known;
  }
  const trimmed = blobName.replace(/[.\s]+$/, '');
  if (trimmed !== blobName) {
    const suffix = suffixIgnoringCase(trimmed);
    if (suffix) {
      const suggestion = withSuffixLowered(trimmed, suffix);
      return { kind: 'ignored', code: 'trailing_characters', reason: `the name ends in '${blobName.slice(trimmed.length)}' after '${suffix}'`, mistake: true, suggestion };
    }
  }
  const suffix = suffixIgnoringCase(blobName);
  if (suffix) {
    const suggestion = withSuffixLowered(blobName, suffix);
    return {
      kind: 'ignored',
      code: 'wrong_case',
      reason: `'${blobName.slice(-suffix.length)}' is not '${suffix}': file name suffixes are case-sensitive`,
      mistake: true,
      suggestion,
    };
  }
  if (UNSUPPORTED.test(blobName)) {
    const match = UNSUPPORTED.exec(blobName)!;
    const suggestion = `${blobName.slice(0, match.index)}${TRAINING_SUFFIX}`;
    return {
      kind: 'ignored',
      code: 'unsupported_format',
      reason: `'${match[0]}' files are not read: upload uncompressed UTF-8 JSON Lines named '<name>${TRAINING_SUFFIX}'`,
      mistake: true,
      suggestion,
    };
  }
  return { kind: 'ignored', code: 'not_a_dataset_file', reason: `not a ${TRAINING_SUFFIX} or ${OPTIONS_SUFFIX} file`, mistake: false };
}
