/**
 * The report of one `npm run bench`: what bench/results/latest.json holds and `--json`
 * prints, and what the Markdown summary is written from. Every figure block is optional:
 * a run holds those of the scenarios it ran.
 */
import type { FleetFigures } from './fleet.js';
import type { MetricsCostFigures } from './metrics-cost.js';
import type { PurgeStallFigures } from './purge-stall.js';
import type { Reference } from './references.js';
import type { StallFigures } from './stall.js';
import type { StoreComparisonFigures } from './store-compare.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface Settings {
  mode: 'quick' | 'full';
  seconds: number;
  warmupSeconds: number;
  pairs: number;
  scaleCodes: number;
  bulkRepeats: number;
  scalePairs: number;
}

/** A server's figures over its runs, each the median of the runs. */
export interface Summary {
  rps: number;
  p50: number;
  p99: number;
  /** The server process's user+system CPU time per answer, µs. */
  cpuUs: number;
  /** On PostgreSQL, its backends' CPU time per answer, µs (same cores, so part of the cost). */
  backendCpuUs?: number;
  runs: number;
}

export interface ScenarioFigures {
  name: string;
  title: string;
  vendcloud: Summary;
  /** The server measured beside vendcloud, pair by pair, on the same request stream. */
  reference: Reference;
  referenceFigures: Summary;
  /** vendcloud RPS / the reference's, median of the pairs. */
  ratio: number;
  ratios: number[];
  /** vendcloud's CPU per request / the reference's (backends included on PostgreSQL), median of the pairs. */
  cpuRatio: number;
  failed: number;
  exhausted: string[];
}

export interface BaselineFigures {
  name: string;
  title: string;
  /** The ratio to (a) that the issue which asked for this baseline measured. */
  issueRatio: number;
  summary: Summary;
  ratio: number;
}

export interface BulkFigures {
  createMany: { codes: number; ms: number[]; medianMs: number };
  cancelAll: { codes: number; ms: number[]; medianMs: number; rssBeforeMb: number | null; peakRssMb: number | null; peakResetWorked: boolean };
}

export interface ScaleFigures {
  smallCodes: number;
  largeCodes: number;
  query: { small: Summary; large: Summary; p50Ratio: number };
  page: { small: Summary; large: Summary; p50Ratio: number };
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface MachineLinkFigures {
  cancels: number;
  fromResponse: Percentiles;
  fromRequest: { p50: number; p99: number };
}

export interface CallbackFigures {
  rounds: number;
  fromConsume: Percentiles;
  fromDeliveryResponse: Percentiles;
  /** From the commit of the machine's result (which queues the callback): the callback's own part. */
  fromResultCommit: Percentiles;
}

/** One goal of the goal table (bench/goals.ts) as this run found it. */
export interface GoalVerdict {
  goal: string;
  issue: string;
  /** What the figure is measured against. */
  baseline: string;
  /** `≥ 0.7`, `≤ 20 ms`. */
  threshold: string;
  value: number;
  /** The figure and what it is made of (RPS and CPU per request of both sides). */
  figure: string;
  met: boolean;
}

export interface FailureEntry {
  label: string;
  failed: number;
  socketErrors: number;
  samples: string[];
}

export interface MachineInfo {
  nproc: number;
  cpu: string;
  node: string;
  loadavgAtStart: number[];
  loadavgAtEnd?: number[];
}

export interface BenchReport {
  when: string;
  mode: Settings['mode'];
  /** The store vendcloud ran on, in words. */
  store: string;
  storeKind: StoreKind;
  machine: MachineInfo;
  settings: Settings & { connections: number };
  scenarios: ScenarioFigures[];
  baselines?: BaselineFigures[];
  bulk?: BulkFigures;
  stall?: StallFigures;
  purgeStall?: PurgeStallFigures;
  scale?: ScaleFigures;
  machineLink?: MachineLinkFigures;
  callbacks?: CallbackFigures;
  storeComparison?: StoreComparisonFigures;
  metricsCost?: MetricsCostFigures;
  fleet?: FleetFigures;
  /** Every goal this run measured, met or not. */
  goals: GoalVerdict[];
  failures: FailureEntry[];
}
