/**
 * The pair loop, written once: servers measured alternately (A B A B …) by the same
 * generator, after a warm-up of each, so that the load the machine's other work puts on
 * the cores falls on both alike. A figure that compares them is the median of the pairwise
 * ratios, never a ratio of medians.
 */
import { median } from './load.js';
import { load, round, type Contestant, type Measured } from './measure.js';

export interface Rounds {
  warmupSeconds: number;
  seconds: number;
  pairs: number;
}

/** Each contestant's runs, in the contestants' order; `title` starts every run's label. */
export async function alternate(title: string, contestants: Contestant[], rounds: Rounds): Promise<Measured[][]> {
  const stream = (c: Contestant) => `${title} ${c.name}`;
  for (const c of contestants) await load(`${title} warm-up ${c.name}`, stream(c), c, rounds.warmupSeconds);
  const runs = contestants.map((): Measured[] => []);
  for (let pair = 0; pair < rounds.pairs; pair++) {
    for (const [i, c] of contestants.entries()) runs[i]!.push(await load(`${title} #${pair + 1} ${c.name}`, stream(c), c, rounds.seconds));
  }
  return runs;
}

/** The median over the pairs of figure(a) / figure(b), and each pair's ratio. */
export function pairedRatio(a: Measured[], b: Measured[], figure: (m: Measured) => number, digits = 3): { ratio: number; ratios: number[] } {
  const ratios = a.map((run, i) => {
    const under = figure(b[i]!);
    return under > 0 ? figure(run) / under : NaN;
  });
  return { ratio: round(median(ratios), digits), ratios: ratios.map((r) => round(r, digits)) };
}
