/**
 * The statuses of a pickup code as the Open API names them, shared by the server and the
 * SDK. EXPIRED is never stored: an UNUSED code past its expiry reads as EXPIRED.
 */

/** The statuses a merchant sees. */
export type VisibleStatus = 'UNUSED' | 'USED' | 'EXPIRED' | 'CANCELLED';

/** What `POST /pickup_codes/query` (extension) filters by: a status, or every code. */
export type CodeStatusFilter = VisibleStatus | 'ALL';
export const CODE_STATUS_FILTERS: readonly CodeStatusFilter[] = ['UNUSED', 'USED', 'EXPIRED', 'CANCELLED', 'ALL'];
