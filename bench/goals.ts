/**
 * The goals, each written once: what is measured, against which baseline, the threshold, and
 * the issue that asked for it. `judge` reads each one's figure from a report and marks it met
 * or not; a goal whose figure the run did not measure (another store, a scenario not run) is
 * left out of that run's list.
 */
import { REFERENCE_NAMES, type Reference } from './references.js';
import type { BenchReport, GoalVerdict, ScenarioFigures, StoreKind, Summary } from './report.js';
import { COMPARED_SCENARIOS } from './store-compare.js';

interface Figure {
  value: number;
  /** The value and what it is made of. */
  text: string;
}

interface Goal {
  goal: string;
  issue: string;
  baseline: string;
  /** The store whose runs it applies to; both when unset. */
  store?: StoreKind;
  at: '≥' | '≤';
  threshold: number;
  unit?: ' ms' | ' KB' | '×';
  figure(report: BenchReport): Figure | undefined;
}

const cpu = (s: Summary) => (s.backendCpuUs === undefined ? `${s.cpuUs} µs` : `${s.cpuUs} + ${s.backendCpuUs} µs`);
const find = (report: BenchReport, name: string, reference: Reference) => report.scenarios.find((s) => s.name === name && s.reference === reference);
const sides = (s: ScenarioFigures) => `${s.vendcloud.rps} vs ${s.referenceFigures.rps} req/s; CPU/request ${cpu(s.vendcloud)} vs ${cpu(s.referenceFigures)} (×${s.cpuRatio.toFixed(2)})`;

/** vendcloud's RPS / the reference's in one scenario, with both sides' CPU per request beside it. */
function rpsRatio(name: string, reference: Reference, threshold: number, issue: string, store?: StoreKind): Goal {
  const figure = (r: BenchReport) => {
    const s = find(r, name, reference);
    return s && { value: s.ratio, text: `${s.ratio.toFixed(2)}: ${sides(s)}` };
  };
  return { goal: `${name}: RPS ratio`, issue, baseline: REFERENCE_NAMES[reference], ...(store ? { store } : {}), at: '≥', threshold, figure };
}

function cpuRatio(name: string, reference: Reference, threshold: number, issue: string, store: StoreKind): Goal {
  const figure = (r: BenchReport) => {
    const s = find(r, name, reference);
    return s && { value: s.cpuRatio, text: `×${s.cpuRatio.toFixed(2)}: ${cpu(s.vendcloud)} vs ${cpu(s.referenceFigures)}` };
  };
  return { goal: `${name}: CPU per request ratio`, issue, baseline: REFERENCE_NAMES[reference], store, at: '≤', threshold, unit: '×', figure };
}

function p99(name: string, threshold: number, issue: string, store: StoreKind): Goal {
  const figure = (r: BenchReport) => {
    const s = r.scenarios.find((x) => x.name === name);
    return s && { value: s.vendcloud.p99, text: `${s.vendcloud.p99} ms at ${s.vendcloud.rps} req/s` };
  };
  return { goal: `${name}: p99 at 64 connections`, issue, baseline: '—', store, at: '≤', threshold, unit: ' ms', figure };
}

function worstP99(r: BenchReport): Figure | undefined {
  if (r.scenarios.length === 0) return undefined;
  const worst = r.scenarios.reduce((a, s) => (s.vendcloud.p99 > a.vendcloud.p99 ? s : a));
  return { value: worst.vendcloud.p99, text: `worst ${worst.vendcloud.p99} ms (${worst.name})` };
}

function storeRatio(name: string, threshold: number): Goal {
  const figure = (r: BenchReport) => {
    const s = r.storeComparison?.scenarios.find((x) => x.name === name);
    return s && { value: s.ratio, text: `${s.ratio.toFixed(2)}: ${s.postgres.rps} vs ${s.sqlite.rps} req/s; CPU/request ${cpu(s.postgres)} vs ${cpu(s.sqlite)}` };
  };
  return { goal: `PostgreSQL ${name} vs SQLite ${name}, same run: RPS ratio`, issue: 'issues 13, 23', baseline: 'vendcloud on SQLite', at: '≥', threshold, figure };
}

const latency = (ms: number, p: { p50: number; p99: number; max: number }) => ({ value: ms, text: `p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms` });
const PG_VS_SQLITE: Record<string, number> = { query: 0.6, cancel: 0.5 };

export const GOALS: Goal[] = [
  rpsRatio('ping', 'bare', 0.55, 'issue 6'),
  rpsRatio('mix', 'bare', 0.3, 'issue 6'),
  rpsRatio('query', 'naive-read', 0.9, 'issues 13, 23', 'sqlite'),
  cpuRatio('query', 'naive-read', 1.2, 'issues 13, 23', 'sqlite'),
  rpsRatio('cancel', 'naive-write', 0.5, 'issues 13, 23', 'sqlite'),
  cpuRatio('cancel', 'naive-write', 2, 'issues 13, 23', 'sqlite'),
  rpsRatio('consume', 'naive-write', 0.35, 'issues 13, 23', 'sqlite'),
  { goal: 'p99 of every scenario at 64 connections', issue: 'issues 13, 23', baseline: '—', store: 'sqlite', at: '≤', threshold: 20, unit: ' ms', figure: worstP99 },
  rpsRatio('query', 'pg-naive-read', 0.7, 'issue 23', 'postgres'),
  rpsRatio('cancel', 'pg-naive-write', 0.5, 'issue 23', 'postgres'),
  rpsRatio('consume', 'pg-naive-write', 0.35, 'issue 23', 'postgres'),
  p99('consume', 50, 'issue 23', 'postgres'),
  p99('create', 50, 'issue 23', 'postgres'),
  ...COMPARED_SCENARIOS.map((name) => storeRatio(name, PG_VS_SQLITE[name]!)),
  {
    goal: 'cancel-all of 100,000 UNUSED codes, median',
    issue: 'issue 6',
    baseline: '—',
    at: '≤',
    threshold: 1500,
    unit: ' ms',
    figure: (r) => r.bulk && { value: r.bulk.cancelAll.medianMs, text: `${r.bulk.cancelAll.medianMs} ms (runs: ${r.bulk.cancelAll.ms.join(', ')})` },
  },
  { goal: "another merchant's ping p99 during a cancel-all", issue: 'issue 12', baseline: '—', at: '≤', threshold: 50, unit: ' ms', figure: (r) => r.stall && latency(r.stall.ping.p99, r.stall.ping) },
  { goal: "another merchant's ping p99 during the callbacks' purge", issue: 'issue 27', baseline: '—', at: '≤', threshold: 50, unit: ' ms', figure: (r) => r.purgeStall && latency(r.purgeStall.ping.p99, r.purgeStall.ping) },
  { goal: 'query p50, large store / small store', issue: 'issue 6', baseline: 'the small store', at: '≤', threshold: 1.3, unit: '×', figure: (r) => r.scale && { value: r.scale.query.p50Ratio, text: `×${r.scale.query.p50Ratio}: ${r.scale.query.small.p50} → ${r.scale.query.large.p50} ms` } },
  { goal: 'machine-wide page p50, large store / small store', issue: 'issue 13', baseline: 'the small store', at: '≤', threshold: 1.3, unit: '×', figure: (r) => r.scale && { value: r.scale.page.p50Ratio, text: `×${r.scale.page.p50Ratio}: ${r.scale.page.small.p50} → ${r.scale.page.large.p50} ms` } },
  { goal: 'cancel → machine sees delete, max from the API response', issue: 'issue 6', baseline: '—', at: '≤', threshold: 1000, unit: ' ms', figure: (r) => r.machineLink && latency(r.machineLink.fromResponse.max, r.machineLink.fromResponse) },
  ...(['saturated', 'steady'] as const).map(
    (load): Goal => ({
      goal: `fleet: cancel → machine sees delete, p99 (API load ${load}; none missed)`,
      issue: 'issue 13',
      baseline: '—',
      at: '≤',
      threshold: 50,
      unit: ' ms',
      figure: (r) => {
        const p = r.fleet?.[load].fromResponse;
        return p && { value: p.missed > 0 ? NaN : p.p99, text: `p99 ${p.p99} ms, max ${p.max} ms${p.missed ? `, ${p.missed} never seen` : ''}` };
      },
    }),
  ),
  { goal: 'fleet: server RSS per connected machine', issue: 'issue 13', baseline: '—', at: '≤', threshold: 30, unit: ' KB', figure: (r) => r.fleet && { value: r.fleet.kbPerMachine, text: `${r.fleet.kbPerMachine} KB` } },
];

/** Every goal the report's figures measure, met or not. */
export function judge(report: Omit<BenchReport, 'goals'>): GoalVerdict[] {
  const full = { ...report, goals: [] };
  return GOALS.flatMap((goal) => {
    if (goal.store && goal.store !== report.storeKind) return [];
    const figure = goal.figure(full);
    if (!figure) return [];
    const met = goal.at === '≥' ? figure.value >= goal.threshold : figure.value <= goal.threshold;
    const threshold = goal.unit === '×' ? `${goal.at} ×${goal.threshold}` : `${goal.at} ${goal.threshold}${goal.unit ?? ''}`;
    return [{ goal: goal.goal, issue: goal.issue, baseline: goal.baseline, threshold, value: figure.value, figure: figure.text, met }];
  });
}
