import { describe, expect, it } from 'vitest';
import { AliasConflict, expirePrevious, promote, rollback, type AliasRecord } from '../../../src/aliases/alias-record.js';
import { hostedHours, viewRegistry } from '../../../src/aliases/alias-view.js';
import { candidateDeploymentName, isValidDeploymentName } from '../../../src/aliases/deployment-name.js';
import { evictionCandidate, isFineTunedModel } from '../../../src/aliases/deployment-ops.js';
import { planLifecycle, type LifecycleSettings } from '../../../src/aliases/lifecycle-plan.js';
import { DEFAULT_PRICES, parsePriceTable } from '../../../src/costs/prices.js';
import { estimateTrainingCost, hostingCost, overBudget, trainingFactor } from '../../../src/costs/training-cost.js';
import { TRAINING_TYPES } from '../../../src/config.js';
import { resolveDeployment, type DeploymentRecord } from '../../../src/runs/deployment-registry.js';

const T0 = '2026-11-01T00:00:00.000Z';
const hours = (h: number): string => new Date(Date.parse(T0) + h * 3_600_000).toISOString();
const GRACE = 60 * 60_000;
const target = (n: number) => ({ deploymentName: `sarcasm-${n}`, model: `gpt-4o-mini-2024-07-18.ft-${n}`, runId: `run-${n}` });
const dep = (n: number, extra: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  ...target(n),
  dataset: 'sarcasm',
  alias: 'sarcasm',
  baseModel: 'gpt-4o-mini-2024-07-18',
  sku: 'Standard',
  createdAt: T0,
  hosted: [{ from: T0 }],
  updatedAt: T0,
  ...extra,
});

describe('deployment names', () => {
  it('alias + run hash, within ARM rules, distinct per run, independent of the run id format', () => {
    const a = candidateDeploymentName('lab/sarcasm', 'lab-sarcasm-0123456789');
    const b = candidateDeploymentName('lab/sarcasm', 'lab-sarcasm-abcdef0123');
    expect(a).toMatch(/^lab-sarcasm-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(candidateDeploymentName('lab/sarcasm', 'x', 'custom')).toMatch(/^custom-[0-9a-f]{8}$/);
    for (const alias of ['ünïcödé/ naïve', '---', 'a'.repeat(200), '.hidden', '日本語']) {
      const name = candidateDeploymentName(alias, 'run');
      expect(isValidDeploymentName(name), name).toBe(true);
    }
  });
});

describe('alias transitions', () => {
  it('promote keeps the old deployment as previous for the grace period and releases the one before', () => {
    const first = promote(undefined, 'sarcasm', target(1), T0, GRACE, 'first').record;
    expect(first.previous).toBeUndefined();
    const second = promote(first, 'sarcasm', target(2), hours(1), GRACE, 'better');
    expect(second.record.current).toMatchObject({ deploymentName: 'sarcasm-2', since: hours(1) });
    expect(second.record.previous).toMatchObject({ deploymentName: 'sarcasm-1', supersededAt: hours(1), deleteAfter: hours(2) });
    expect(second.released).toEqual([]);
    const third = promote(second.record, 'sarcasm', target(3), hours(1.5), GRACE, 'even better');
    expect(third.released.map((t) => t.deploymentName)).toEqual(['sarcasm-1']);
    expect(third.record.history.map((h) => `${h.action}:${h.deploymentName}`)).toEqual(['promote:sarcasm-1', 'promote:sarcasm-2', 'promote:sarcasm-3']);
    expect(() => promote(third.record, 'sarcasm', target(3), hours(2), GRACE, 'again')).toThrow(AliasConflict);
  });

  it('rollback swaps current and previous (roll forward possible), refuses without a live previous', () => {
    const two = promote(promote(undefined, 'sarcasm', target(1), T0, GRACE, 'a').record, 'sarcasm', target(2), hours(1), GRACE, 'b').record;
    const back = rollback(two, 'sarcasm', hours(1.2), GRACE, () => false).record;
    expect(back.current.deploymentName).toBe('sarcasm-1');
    expect(back.previous).toMatchObject({ deploymentName: 'sarcasm-2', deleteAfter: new Date(Date.parse(hours(1.2)) + GRACE).toISOString() });
    expect(() => rollback(two, 'sarcasm', hours(1.2), GRACE, () => true)).toThrow(/already deleted/);
    expect(() => rollback(promote(undefined, 'x', target(1), T0, GRACE, 'a').record, 'x', T0, GRACE, () => false)).toThrow(/no previous deployment/);
    expect(() => rollback(undefined, 'x', T0, GRACE, () => false)).toThrow(/no alias/);
    expect(expirePrevious(two, hours(1.5))).toBeUndefined();
    expect(expirePrevious(two, hours(2))?.released.map((t) => t.deploymentName)).toEqual(['sarcasm-1']);
  });

  it('the chat endpoint resolves an alias to its current deployment, even one Azure deleted', () => {
    const alias = promote(undefined, 'sarcasm', target(2), T0, GRACE, 'a').record;
    const records = [dep(1), dep(2, { deletedAt: hours(1) })];
    expect(resolveDeployment(records, 'sarcasm', [alias])?.deploymentName).toBe('sarcasm-2');
    expect(resolveDeployment(records, 'sarcasm-1', [alias])?.deploymentName).toBe('sarcasm-1');
    expect(resolveDeployment(records, 'sarcasm-2', [alias])).toBeUndefined();
    // A candidate never answers for the dataset name: only the alias registry decides.
    expect(resolveDeployment([dep(1)], 'sarcasm', [])).toBeUndefined();
  });
});

describe('lifecycle plan', () => {
  const settings: LifecycleSettings = { idleWarnPercent: 80, idlePolicy: 'none', idleTearDownDays: 7 };
  const live = (...n: number[]) => n.map((i) => ({ name: `sarcasm-${i}`, model: target(i).model, provisioningState: 'Succeeded' }));
  const aliasAt = (current: number, previous?: number, deleteAfter = hours(1)): AliasRecord => ({
    alias: 'sarcasm',
    current: { ...target(current), since: T0 },
    ...(previous ? { previous: { ...target(previous), since: T0, supersededAt: T0, deleteAfter } } : {}),
    history: [],
    updatedAt: T0,
  });
  const plan = (aliases: AliasRecord[], deployments: DeploymentRecord[], liveList: ReturnType<typeof live>, nowH: number, usage = new Map<string, string>(), s = settings) =>
    planLifecycle({ aliases, deployments, usage, live: liveList, now: Date.parse(hours(nowH)), settings: s }).map((a) => `${a.kind}:${'deployment' in a && typeof a.deployment === 'object' ? a.deployment.deploymentName : (a as { deployment: string }).deployment}`);

  it('ends grace periods, deletes released deployments, notices missing ones', () => {
    expect(plan([aliasAt(2, 1)], [dep(1), dep(2)], live(1, 2), 0.5)).toEqual([]);
    expect(plan([aliasAt(2, 1)], [dep(1), dep(2)], live(1, 2), 1)).toEqual(['expire-previous:sarcasm-1']);
    expect(plan([aliasAt(2)], [dep(1, { deleteAfter: hours(1) }), dep(2)], live(1, 2), 2)).toEqual(['delete:sarcasm-1']);
    expect(plan([aliasAt(2)], [dep(2)], live(), 2)).toEqual(['missing:sarcasm-2']);
    expect(plan([aliasAt(2)], [dep(2, { deletedAt: hours(1) })], live(), 2)).toEqual([]);
  });

  it("warns once per idle period before Azure's 15 days (24 h for Developer tier)", () => {
    const day = 24;
    expect(plan([aliasAt(2)], [dep(2)], live(2), 11 * day)).toEqual([]);
    expect(plan([aliasAt(2)], [dep(2)], live(2), 12 * day)).toEqual(['idle-warning:sarcasm-2']);
    expect(plan([aliasAt(2)], [dep(2, { idleWarnedFor: T0 })], live(2), 13 * day)).toEqual([]);
    expect(plan([aliasAt(2)], [dep(2)], live(2), 13 * day, new Map([['sarcasm-2', hours(12 * day)]]))).toEqual([]);
    expect(plan([], [dep(3, { sku: 'DeveloperTier', alias: undefined })], live(3), 20)).toEqual(['idle-warning:sarcasm-3']);
  });

  it('applies the idle policy of the alias: keep warm at half the limit, tear down after N days', () => {
    const warm = { ...aliasAt(2), lifecycle: { idle: 'keep-warm' as const } };
    expect(plan([warm], [dep(2)], live(2), 7.5 * 24)).toEqual(['keep-warm:sarcasm-2']);
    const down = { ...aliasAt(2), lifecycle: { idle: 'tear-down' as const, tearDownAfterDays: 3 } };
    expect(plan([down], [dep(2)], live(2), 2 * 24)).toEqual([]);
    expect(plan([down], [dep(2)], live(2), 3 * 24)).toEqual(['tear-down:sarcasm-2']);
    expect(plan([aliasAt(2)], [dep(2)], live(2), 7 * 24, new Map(), { ...settings, idlePolicy: 'tear-down' })).toEqual(['tear-down:sarcasm-2']);
  });

  it('evicts the least recently used app deployment that no alias protects', () => {
    const records = [dep(1), dep(2), dep(3), dep(4, { deletedAt: T0 })];
    const usage = new Map([['sarcasm-1', hours(5)], ['sarcasm-3', hours(2)]]);
    expect(evictionCandidate(records, live(1, 2, 3, 4), new Set(['sarcasm-2']), usage)?.deploymentName).toBe('sarcasm-3');
    expect(evictionCandidate(records, live(1, 2), new Set(['sarcasm-1', 'sarcasm-2']), usage)).toBeUndefined();
    expect(isFineTunedModel('gpt-4o-mini-2024-07-18.ft-abc123')).toBe(true);
    expect(isFineTunedModel('gpt-4o-mini')).toBe(false);
  });
});

describe('money', () => {
  it('training cost = billed tokens × price, with the Global and Developer factors', () => {
    expect(estimateTrainingCost(DEFAULT_PRICES, 'gpt-4o-mini', undefined, 2_000_000)).toMatchObject({ amount: 6.6, currency: 'USD', pricePerMillionTokens: 3.3, trainingType: 'Standard' });
    expect(estimateTrainingCost(DEFAULT_PRICES, 'gpt-4o-mini-2024-07-18', 'GlobalStandard', 2_000_000).amount).toBe(5.94);
    // The spelling the product sends (options' trainingType, FT_TRAINING_TYPE): developerTier.
    expect(estimateTrainingCost(DEFAULT_PRICES, 'gpt-4o-mini-2024-07-18', 'developerTier', 2_000_000).amount).toBe(2.97);
    expect(estimateTrainingCost(DEFAULT_PRICES, 'o4-mini', undefined, 1000).amount).toBeNull();
  });

  it('every training type the product sends gets its factor (no spelling drift between config and the price table)', () => {
    const standard = estimateTrainingCost(DEFAULT_PRICES, 'gpt-4o-mini-2024-07-18', 'Standard', 1_000_000).amount!;
    const amounts = Object.fromEntries(TRAINING_TYPES.map((t) => [t, estimateTrainingCost(DEFAULT_PRICES, 'gpt-4o-mini-2024-07-18', t, 1_000_000).amount]));
    expect(amounts).toEqual({ Standard: standard, GlobalStandard: 2.97, developerTier: 1.49 });
    // Global is 10-30% off regional Standard; Developer a further 50% off Global.
    expect(trainingFactor(DEFAULT_PRICES, 'developerTier')).toBeCloseTo(trainingFactor(DEFAULT_PRICES, 'GlobalStandard') / 2, 10);
    expect(trainingFactor(DEFAULT_PRICES, 'GlobalStandard')).toBeGreaterThanOrEqual(0.7);
    expect(trainingFactor(DEFAULT_PRICES, 'GlobalStandard')).toBeLessThanOrEqual(0.9);
  });

  it('the budget rejects an estimate above it, and one that cannot be estimated', () => {
    const estimate = estimateTrainingCost(DEFAULT_PRICES, 'gpt-4o', undefined, 1_000_000);
    expect(overBudget(estimate, 30)).toBeUndefined();
    expect(overBudget(estimate, 20)).toMatch(/estimated training cost 27.5 USD is above budget.maxTrainingCost 20/);
    expect(overBudget(estimateTrainingCost(DEFAULT_PRICES, 'o4-mini', undefined, 1), 100)).toMatch(/cannot be estimated/);
  });

  it('FT_PRICES overrides parts of the table and names bad keys', () => {
    const { table, problems } = parsePriceTable('{"currency": "EUR", "models": {"gpt-4o-mini-2024-07-18": {"hostingPerHour": 2}}, "globalTrainingFactor": 0.8}');
    expect(problems).toEqual([]);
    expect(table.models['gpt-4o-mini-2024-07-18']).toEqual({ trainingPerMillionTokens: 3.3, hostingPerHour: 2 });
    expect(table.currency).toBe('EUR');
    expect(parsePriceTable('{"models": {"x": {"hostingPerHour": -1}}, "bogus": 1}').problems).toEqual(['FT_PRICES.bogus is not a known key', 'FT_PRICES.models.x.hostingPerHour must be a number of at least 0, got -1']);
    expect(parsePriceTable('{').problems[0]).toMatch(/not valid JSON/);
  });

  it('hosting hours and cost per deployment and per alias', () => {
    expect(hostedHours(dep(1, { hosted: [{ from: T0, to: hours(2) }, { from: hours(5) }] }), Date.parse(hours(6)))).toBe(3);
    expect(hostingCost(DEFAULT_PRICES, 'gpt-4o-mini', 'DeveloperTier', 10).amount).toBe(0);
    const alias = promote(undefined, 'sarcasm', target(2), T0, GRACE, 'a').record;
    const view = viewRegistry([alias], [dep(1, { hosted: [{ from: T0, to: hours(1) }], deletedAt: hours(1) }), dep(2)], new Map([['sarcasm-2', hours(3)]]), DEFAULT_PRICES, Date.parse(hours(10)));
    expect(view.aliases[0]).toMatchObject({ alias: 'sarcasm', current: { deployment: 'sarcasm-2', hostingHours: 10, hostingCost: { amount: 17, currency: 'USD' }, lastUsedAt: hours(3) }, previous: null, hosting: { hours: 11, cost: { amount: 18.7 } } });
    expect(view.deployments.map((d) => [d.deployment, d.state])).toEqual([['sarcasm-1', 'deleted'], ['sarcasm-2', 'current']]);
  });
});
