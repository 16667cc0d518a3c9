/**
 * What a machine must remember about its reports (docs/mqtt.md, "What a machine must do"):
 * every report the server has not acknowledged yet, under the report id it was first sent
 * with, so it can be sent again, unchanged, until the acknowledgement comes. Kept in memory,
 * and in a file when one is given, so a restart of the machine loses none.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** A redemption the server has not acknowledged. */
export interface UnacknowledgedReport {
  reportId: string;
  /** The redeemed code's id. */
  codeId: string;
}

interface Entry extends UnacknowledgedReport {
  /** When it last went to the broker (ms since the epoch); 0 = not yet. */
  sentAt: number;
}

export class UnacknowledgedReports {
  private readonly entries = new Map<string, Entry>();

  /** Reads the file, if there is one: what an earlier run of the machine left unacknowledged. */
  constructor(private readonly file?: string) {
    if (!file || !existsSync(file)) return;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as UnacknowledgedReport[];
    for (const report of saved) this.entries.set(report.reportId, { ...report, sentAt: 0 });
  }

  /** A new report for a redeemed code, written down before it is sent. */
  add(codeId: string): UnacknowledgedReport {
    const entry = { reportId: randomUUID(), codeId, sentAt: 0 };
    this.entries.set(entry.reportId, entry);
    this.save();
    return { reportId: entry.reportId, codeId };
  }

  /** The server acknowledged it: forget it. False if it was not waiting (a second acknowledgement). */
  acknowledge(reportId: string, codeId: string): boolean {
    const entry = this.entries.get(reportId);
    if (!entry || entry.codeId !== codeId) return false;
    this.entries.delete(reportId);
    this.save();
    return true;
  }

  markSent(reportId: string, at: number): void {
    const entry = this.entries.get(reportId);
    if (entry) entry.sentAt = at;
  }

  /** Every waiting report, oldest first. */
  all(): UnacknowledgedReport[] {
    return [...this.entries.values()].map(({ reportId, codeId }) => ({ reportId, codeId }));
  }

  /** The waiting reports last sent before `before` (or never). */
  due(before: number): UnacknowledgedReport[] {
    return [...this.entries.values()].filter((entry) => entry.sentAt < before).map(({ reportId, codeId }) => ({ reportId, codeId }));
  }

  /** Written whole to a new file, then renamed over the old one: a crash leaves one or the other. */
  private save(): void {
    if (!this.file) return;
    const next = `${this.file}.next`;
    writeFileSync(next, JSON.stringify(this.all()));
    renameSync(next, this.file);
  }
}
