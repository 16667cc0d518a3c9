/** The report as Markdown, the form BENCHMARKS.md quotes: figure tables, then the goals met or not. */
import { fleetRows } from './fleet.js';
import { CONNECTIONS, round } from './measure.js';
import { metricsCostRows } from './metrics-cost.js';
import { REFERENCE_NAMES } from './references.js';
import type { BenchReport, Summary } from './report.js';
import { storeComparisonRows } from './store-compare.js';

const ms = (v: number) => (Number.isFinite(v) ? String(round(v, 1)) : '—');
const cpu = (s: Summary) => (s.backendCpuUs === undefined ? String(s.cpuUs) : `${s.cpuUs} + ${s.backendCpuUs}`);
const n = (v: number) => v.toLocaleString('en');

function header(report: BenchReport): string[] {
  const m = report.machine;
  return [
    `## vendcloud bench: ${report.mode} run, ${report.store}, ${report.when}`,
    '',
    `nproc ${m.nproc}, ${m.cpu}, Node ${m.node}, load average at start ${m.loadavgAtStart.join(' / ')}, at end ${(m.loadavgAtEnd ?? []).join(' / ')}.`,
    `${CONNECTIONS} connections, ${report.settings.seconds} s per run, ${report.settings.pairs} pair(s) per scenario (vendcloud, then its reference), ${report.settings.warmupSeconds} s warm-up each.`,
    'Each scenario runs in pairs: vendcloud, then its reference: (a) bare node:http, or the least code doing the same work: on SQLite (d) the naive signed read, (e) the naive signed write with group commit; on PostgreSQL (f) and (g), the same through `pg` (bench/servers/).',
    "Ratio = vendcloud RPS / the reference's RPS, the median of the pairwise ratios; CPU = the server process's user+system time / answers (on PostgreSQL + its backends'), the figure to read first (the load generator shares the cores and caps RPS, not CPU). Absolute figures are noisy on a shared machine.",
    '',
  ];
}

function scenarioRows(report: BenchReport): string[] {
  if (report.scenarios.length === 0) return [];
  const lines = ['| scenario | vendcloud RPS | p50 ms | p99 ms | CPU µs/req | reference | its RPS | its p99 ms | its CPU µs/req | RPS ratio | CPU ratio | failed |', '|---|--:|--:|--:|--:|--|--:|--:|--:|--:|--:|--:|'];
  for (const s of report.scenarios) {
    const r = s.referenceFigures;
    const failed = `${s.failed}${s.exhausted.length ? ` (${s.exhausted.join(', ')} exhausted)` : ''}`;
    lines.push(`| ${s.title} | ${s.vendcloud.rps} | ${ms(s.vendcloud.p50)} | ${ms(s.vendcloud.p99)} | ${cpu(s.vendcloud)} | ${REFERENCE_NAMES[s.reference]} | ${r.rps} | ${ms(r.p99)} | ${cpu(r)} | ${s.ratio.toFixed(3)} | ${s.cpuRatio.toFixed(2)} | ${failed} |`);
  }
  return [...lines, ''];
}

function baselineRows(report: BenchReport): string[] {
  if (!report.baselines) return [];
  const lines = ["| baseline (signed write request) | RPS | p50 ms | p99 ms | CPU µs/req | ratio vs (a) | issue's figure |", '|---|--:|--:|--:|--:|--:|--:|'];
  for (const b of report.baselines) lines.push(`| ${b.title} | ${b.summary.rps} | ${ms(b.summary.p50)} | ${ms(b.summary.p99)} | ${b.summary.cpuUs} | ${b.ratio.toFixed(3)} | ${b.issueRatio} |`);
  return [...lines, ''];
}

function bulkRows(report: BenchReport): string[] {
  const rows: string[] = [];
  const { bulk, stall, purgeStall: purge, scale, machineLink: link, callbacks: c } = report;
  if (bulk) {
    const { createMany: m, cancelAll: x } = bulk;
    rows.push(`| create ${n(m.codes)} codes in one request | ${m.medianMs} ms (runs: ${m.ms.join(', ')}) |`);
    rows.push(`| cancel-all, ${n(x.codes)} UNUSED codes on one machine | ${x.medianMs} ms (runs: ${x.ms.join(', ')}); server RSS ${x.rssBeforeMb} MB before, peak ${x.peakRssMb} MB${x.peakResetWorked ? ' during cancel-all' : ' since start'} |`);
  }
  const probe = (l: { p50: number; p99: number; max: number; count: number }) => `p50 ${ms(l.p50)} ms, p99 ${ms(l.p99)} ms, max ${ms(l.max)} ms (${l.count} requests)`;
  if (stall) rows.push(`| another merchant's ping during a cancel-all of ${n(stall.codes)} codes (cancel-all: ${stall.bulkMs.join(', ')} ms) | ${probe(stall.ping)}; its product query ${probe(stall.query)} |`);
  if (purge) rows.push(`| another merchant's ping during the housekeeping's purge of ${n(purge.rows)} old callback rows (${purge.purgeMs} ms, ${n(purge.rowsPerSecond)} rows/s) | ${probe(purge.ping)} |`);
  if (scale) {
    rows.push(`| query p50, ${n(scale.smallCodes)} → ${n(scale.largeCodes)} codes in the store | ${ms(scale.query.small.p50)} → ${ms(scale.query.large.p50)} ms (×${scale.query.p50Ratio}); RPS ${scale.query.small.rps} → ${scale.query.large.rps} |`);
    rows.push(`| machine-wide page p50, ${n(scale.smallCodes)} → ${n(scale.largeCodes)} codes on the machine | ${ms(scale.page.small.p50)} → ${ms(scale.page.large.p50)} ms (×${scale.page.p50Ratio}); RPS ${scale.page.small.rps} → ${scale.page.large.rps} |`);
  }
  if (link) rows.push(`| cancel → machine sees delete (${link.cancels} cancels, from the API response) | p50 ${link.fromResponse.p50} ms, p99 ${link.fromResponse.p99} ms, max ${link.fromResponse.max} ms |`);
  if (c) {
    const p = (x: { p50: number; p99: number }) => `p50 ${x.p50} ms, p99 ${x.p99} ms`;
    rows.push(`| consume → delivery → callback received (${c.rounds} rounds, from the consume request) | ${p(c.fromConsume)}, max ${c.fromConsume.max} ms; from the delivery's answer ${p(c.fromDeliveryResponse)}; from the result's commit ${p(c.fromResultCommit)} |`);
  }
  return rows.length > 0 ? ['| bulk and scale | figure |', '|---|---|', ...rows, ''] : [];
}

function goalRows(report: BenchReport): string[] {
  if (report.goals.length === 0) return [];
  const lines = ['| goal | asked by | against | this run | goal | met |', '|---|---|---|---|---|---|'];
  for (const g of report.goals) lines.push(`| ${g.goal} | ${g.issue} | ${g.baseline} | ${g.figure} | ${g.threshold} | ${g.met ? 'met' : '**not met**'} |`);
  return [...lines, ''];
}

export function markdown(report: BenchReport): string {
  const lines = [...header(report), ...scenarioRows(report), ...baselineRows(report), ...bulkRows(report)];
  if (report.storeComparison) lines.push(...storeComparisonRows(report.storeComparison), '');
  if (report.metricsCost) lines.push(...metricsCostRows(report.metricsCost), '');
  if (report.fleet) lines.push(...fleetRows(report.fleet), '');
  lines.push(...goalRows(report));
  if (report.failures.length > 0) {
    lines.push('**Failed requests (the figures above are not valid):**');
    for (const f of report.failures) lines.push(`- ${f.label}: ${f.failed} failed responses, ${f.socketErrors} socket errors/timeouts${f.samples.length ? `; e.g. ${f.samples[0]}` : ''}`);
    lines.push('');
  }
  return lines.join('\n');
}
