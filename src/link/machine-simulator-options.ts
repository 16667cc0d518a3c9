/** How a simulated machine is set up (machine-simulator.ts). */
import type { KeypadLockOptions } from './keypad-lock.js';
import type { VendingOptions } from './machine-vending.js';

/** `fault` and `vendMs`: how its vends go (machine-vending.ts). */
export interface MachineSimulatorOptions extends VendingOptions {
  /** e.g. mqtt://127.0.0.1:1883, or mqtts://host:8883 with TLS */
  url: string;
  /** PEM of the certificate authority to trust for mqtts:// (a self-signed broker certificate, say). */
  ca?: string;
  machineNo: string;
  password: string;
  /** The owning merchant's Appid: the key of every message's signature. */
  appid: string;
  heartbeatSeconds?: number;
  networkType?: string;
  networkRssi?: string;
  /** Ask for the whole list after each connect (default true). */
  pullOnConnect?: boolean;
  /** Seconds after which a report still not acknowledged is sent again (default 30). */
  resendSeconds?: number;
  /** A file keeping the reports not acknowledged yet, so they outlive a restart of the machine. */
  reportsFile?: string;
  /** `--firmware original` only: items in stock per product id, reported after each vend. */
  stock?: Record<string, number>;
  /** When the keypad locks after wrong codes (keypad-lock.ts). */
  keypadLock?: KeypadLockOptions;
  /** Each thing the machine does, as one line (default: nothing). */
  log?: (line: string) => void;
}
