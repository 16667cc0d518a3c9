/** The credential columns of migration 0008_credentials (docs/security.md), kept beside schema.ts's tables. */
import type { ColumnType, Generated } from 'kysely';
import type { LiveCodesLimit } from '../domain/live-codes-limit.js';

/** schema.ts's Flag (0/1), written here so that schema.ts can extend these without a cycle. */
type Flag = 0 | 1;

export interface MerchantCredentialColumns {
  /** Suspended by the operator: every request answers 10010 (docs/security.md). */
  suspended: Generated<Flag>;
  /** The key of the opt-in HMAC-SHA256 request signature; kept as is (the server computes with it). Never logged or answered. */
  signing_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** Requests without a valid `Vendcloud-Request-Signature` are refused. */
  require_signature: Generated<Flag>;
  /** Unix seconds of the last rotation or suspension; running instances drop their cached row after it. */
  credentials_changed_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** Migration 0012_live_codes_limit: the cap on a product's live codes (domain/live-codes-limit.ts). */
  live_codes_limit: Generated<LiveCodesLimit>;
}

export interface MachineCredentialColumns {
  /** Disabled by the operator: it may not log in to the link (docs/security.md). */
  disabled: Generated<Flag>;
  /** Unix seconds of the last password rotation or disabling; its live connection is closed after it. */
  credentials_changed_at: ColumnType<number | null, number | null | undefined, number | null>;
}
