/** What the link did and refused, for tests, logs and operators. */
export interface LinkCounters {
  /** Outbox rows published and acknowledged by the broker. */
  published: number;
  /** Outbox rows marked sent without publishing, because a sync sent the whole list instead. */
  superseded: number;
  publishFailures: number;
  /** Machine messages acted upon. */
  handled: number;
  /** Reports acknowledged to their machine (published and acknowledged by the broker). */
  acknowledged: number;
  /** Re-sent reports recognised by their report id: acknowledged again, nothing changed. */
  duplicates: number;
  /** Redemptions that met a code used, cancelled or expired (src/domain/redemptions.ts): acknowledged, written, announced. */
  conflicts: number;
  dropped: {
    /** Not base64 of a JSON object with client_id, method and sign. */
    malformed: number;
    unknownMachine: number;
    badSignature: number;
    /** A machine spoke for another one (refused by the embedded broker). */
    impersonation: number;
    unknownMethod: number;
    /** Well-formed but its fields are not (e.g. a put without a numeric id). */
    invalidFields: number;
    /** Its timestamp is further from the server's clock than the window (a replay). */
    farOffTimestamp: number;
  };
  refusedLogins: number;
  refusedSubscriptions: number;
  refusedPublications: number;
  /** Connections closed by the embedded broker's limits (docs/security.md). */
  limits: {
    /** A packet declared more bytes than its limit. */
    oversized: number;
    /** Refused at once: too many connections were still logging in. */
    pendingCap: number;
    /** A machine sent more messages than its rate. */
    overRate: number;
    /** A machine published a retained message. */
    retained: number;
  };
  /**
   * `handled`, `published` and `acknowledged` again, by the message's method (the metrics'
   * `method` label). Only these: a dropped message's method is whatever a stranger wrote.
   */
  byMethod: Record<'handled' | 'published' | 'acknowledged', Record<string, number>>;
}

/** Counts one message of `method` under `outcome`, in its total and in its method's. */
export function countByMethod(counters: LinkCounters, outcome: keyof LinkCounters['byMethod'], method: string): void {
  counters[outcome]++;
  const perMethod = counters.byMethod[outcome];
  perMethod[method] = (perMethod[method] ?? 0) + 1;
}

export function newCounters(): LinkCounters {
  return {
    published: 0,
    superseded: 0,
    publishFailures: 0,
    handled: 0,
    acknowledged: 0,
    duplicates: 0,
    conflicts: 0,
    dropped: { malformed: 0, unknownMachine: 0, badSignature: 0, impersonation: 0, unknownMethod: 0, invalidFields: 0, farOffTimestamp: 0 },
    refusedLogins: 0,
    refusedSubscriptions: 0,
    refusedPublications: 0,
    limits: { oversized: 0, pendingCap: 0, overRate: 0, retained: 0 },
    byMethod: { handled: {}, published: {}, acknowledged: {} },
  };
}
