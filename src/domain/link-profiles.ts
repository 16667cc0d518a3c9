/**
 * A machine's link profile (docs/mqtt.md, "Link profiles"): what it understands decides which
 * messages the dispatcher sends it. `original` is the firmware of the original platform: only
 * the messages of its MQTT pages. `extended` also understands vendcloud's extensions (the sync,
 * report acknowledgements, the pull, the vend command).
 */
export type LinkProfile = 'original' | 'extended';

/** The operator's choice: `auto` follows what the machine says of itself. */
export const LINK_MODES = ['auto', 'original', 'extended'] as const;
export type LinkMode = (typeof LINK_MODES)[number];

export function isLinkMode(text: string): text is LinkMode {
  return (LINK_MODES as readonly string[]).includes(text);
}

/**
 * The profile in force: the operator's choice, else what the machine said. Every machine is
 * original until it says otherwise, because the machines in the field run that firmware.
 */
export function linkProfileOf(machine: { link_mode: string; link_extended: number }): LinkProfile {
  if (machine.link_mode === 'original' || machine.link_mode === 'extended') return machine.link_mode;
  return machine.link_extended === 1 ? 'extended' : 'original';
}

/**
 * Catch-up of an original machine that comes back: every code changed since this long before
 * it was last heard of is sent again (a create or a delete, both harmless if it already had
 * them), so pushes published while it was already gone but not yet known to be are covered.
 */
export const CATCH_UP_MARGIN_SECONDS = 60;
