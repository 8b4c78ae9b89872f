/**
 * A fine-tuning job's result file (`results.csv`) as the service hands it out. OpenAI serves its
 * content base64-encoded (observed, and what OpenAI's cookbook decodes); Azure's documentation
 * shows plain CSV. Both are accepted: the text is CSV when its first line is the CSV header, and
 * is decoded from base64 otherwise.
 */
const CSV_HEADER = /^\uFEFF?step,/;
const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

export class ResultsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsFileError';
  }
}

export function decodeResultsFile(content: string): string {
  if (CSV_HEADER.test(content)) return content.replace(/^\uFEFF/, '');
  const trimmed = content.trim();
  if (trimmed !== '' && BASE64.test(trimmed)) {
    const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
    if (CSV_HEADER.test(decoded)) return decoded.replace(/^\uFEFF/, '');
  }
  throw new ResultsFileError(`the result file is neither CSV starting with 'step,' nor base64 of it (begins ${JSON.stringify(content.slice(0, 40))})`);
}
