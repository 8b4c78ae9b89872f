/**
 * Which run artifacts the HTTP API serves, and as what. Only files the pipeline itself wrote at the
 * top of `runs/<runId>/` (reports, results, charts, evaluation) — never the input snapshots under
 * `inputs/`, which hold the user's training data. Pure: the function reads no storage.
 */

/** Content types by extension; an artifact with any other extension is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  txt: 'text/plain; charset=utf-8',
};

/** One path segment: no slashes, no leading dot, no `..`, nothing a URL or a shell would mangle. */
const SAFE_NAME = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)+$/i;

export type ArtifactLookup = { ok: true; name: string; contentType: string } | { ok: false; status: 400 | 404; message: string };

/** Whether `name` may be served for a run whose record lists `artifacts`, and with which content type. */
export function lookupArtifact(name: string, artifacts: readonly string[]): ArtifactLookup {
  if (!SAFE_NAME.test(name) || name.length > 100) return { ok: false, status: 400, message: `'${name}' is not an artifact name (expected e.g. validation-report.md)` };
  const extension = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  const contentType = CONTENT_TYPES[extension];
  if (!contentType || !artifacts.includes(name)) {
    const listed = artifacts.filter((a) => SAFE_NAME.test(a) && CONTENT_TYPES[a.slice(a.lastIndexOf('.') + 1).toLowerCase()]);
    return { ok: false, status: 404, message: `this run has no artifact '${name}'; it has: ${listed.join(', ') || 'none yet'}` };
  }
  return { ok: true, name, contentType };
}

/** The artifacts of a run that `lookupArtifact` serves, for listings. */
export function servedArtifacts(artifacts: readonly string[]): string[] {
  return artifacts.filter((a) => lookupArtifact(a, artifacts).ok);
}
