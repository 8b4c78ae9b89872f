/**
 * `ftpipe aliases | promote | rollback`: the alias API (`/api/aliases…`) from a terminal. Promote
 * and rollback print what changed — which deployment and run the alias serves now, which it served
 * before and how long that one stays for a rollback — since the user is switching live traffic.
 */
import type { AliasRecord } from '../aliases/alias-record.js';
import type { AliasListing, AliasTargetView } from '../aliases/alias-view.js';
import { AppClient, AppError, type RemoteOptions } from './app-client.js';
import { EXIT, table } from './run-commands.js';

const out = (line: string): void => void process.stdout.write(`${line}\n`);

function hosting(t: Pick<AliasTargetView, 'hostingHours' | 'hostingCost'>): string {
  const cost = t.hostingCost.amount !== null ? `, ${t.hostingCost.amount.toFixed(2)} ${t.hostingCost.currency}` : '';
  return `${t.hostingHours.toFixed(1)} h${cost}`;
}

export async function aliasesCommand(options: RemoteOptions & { json?: boolean }): Promise<number> {
  const { aliases } = await new AppClient(options).request<AliasListing>('/aliases');
  if (options.json) out(JSON.stringify(aliases, null, 2));
  else if (aliases.length === 0) out('No aliases yet: one appears when a run succeeds.');
  else
    out(
      table([
        ['ALIAS', 'DEPLOYMENT', 'MODEL', 'RUN', 'SINCE', 'PREVIOUS', 'LAST USED', 'HOSTING'],
        ...aliases.map((a) => [
          a.alias,
          a.current.deployment,
          a.current.model,
          a.current.runId,
          a.current.since,
          a.previous ? `${a.previous.deployment} (until ${a.previous.deleteAfter})` : '–',
          a.lastUsedAt ?? 'never',
          hosting(a.current),
        ]),
      ]),
    );
  return 0;
}

/**
 * A promote or rollback the app turned down as the alias stands (nothing to roll back, already
 * current, the run has no live deployment for that alias, no such alias): exit 7 with the app's
 * reason, so a script tells "not possible now" from a usage or connection problem (2). Only answers
 * that carry the alias API's own error code count; a bare 404 (no such route) stays an error.
 */
async function refusable(action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof AppError && (error.status === 404 || error.status === 409) && error.code) {
      process.stderr.write(`ftpipe: refused (${error.code}): ${error.message}\n`);
      return EXIT.refused;
    }
    throw error;
  }
}

const path = (alias: string, action: string): string => `/aliases/${encodeURIComponent(alias)}/${action}`;

function previousLine(record: AliasRecord, alias: string): string {
  const p = record.previous;
  if (!p) return '  no previous deployment (nothing to roll back to)';
  return `  was ${p.deploymentName} (run ${p.runId}), kept until ${p.deleteAfter}: ftpipe rollback ${alias} switches back`;
}

export async function promoteCommand(alias: string, options: RemoteOptions & { run: string; json?: boolean }): Promise<number> {
  return refusable(async () => {
    const record = await new AppClient(options).post<AliasRecord>(path(alias, 'promote'), { runId: options.run });
    if (options.json) out(JSON.stringify(record, null, 2));
    else {
      out(`${alias}: promoted run ${record.current.runId}; now ${record.current.deploymentName} (${record.current.model})`);
      out(previousLine(record, alias));
    }
    return 0;
  });
}

export async function rollbackCommand(alias: string, options: RemoteOptions & { json?: boolean }): Promise<number> {
  return refusable(async () => {
    const record = await new AppClient(options).post<AliasRecord>(path(alias, 'rollback'));
    if (options.json) out(JSON.stringify(record, null, 2));
    else {
      out(`${alias}: rolled back to run ${record.current.runId}; now ${record.current.deploymentName} (${record.current.model})`);
      out(previousLine(record, alias));
    }
    return 0;
  });
}
