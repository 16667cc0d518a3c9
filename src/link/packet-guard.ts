/**
 * Limits on what reaches the embedded broker, applied to the bytes as they arrive, before
 * aedes' parser buffers a packet: the parser keeps every byte of a packet until it is whole,
 * so a socket that declares a 200 MB CONNECT and sends it slowly would otherwise hold 200 MB.
 * Here an MQTT packet's declared length is read from its fixed header (the type byte and a
 * variable-length integer of 1 to 4 bytes) and a packet over its limit closes its connection
 * at once, without its body ever being kept. Other connections are not touched.
 */
import type { Socket } from 'node:net';

/** The first packet of a connection (the CONNECT, which carries the password) gets this; then `afterConnect()` says. */
export interface PacketLimits {
  connectBytes: number;
  afterConnect(): number;
}

const CONNECT = 1;
/** MQTT's variable-length integer has at most four bytes (MQTT 3.1.1 §2.2.3). */
const MAX_LENGTH_BYTES = 4;

/** Follows MQTT framing across chunks and says when a packet declares more than its limit. */
export class PacketSizeGuard {
  private packets = 0;
  private state: 'type' | 'length' | 'body' = 'type';
  private type = 0;
  private length = 0;
  private lengthBytes = 0;
  private bodyLeft = 0;

  constructor(private readonly limits: PacketLimits) {}

  /** False when this chunk starts a packet over its limit, or a length MQTT does not allow. */
  accepts(chunk: Buffer): boolean {
    let at = 0;
    while (at < chunk.length) {
      if (this.state === 'body') {
        const taken = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= taken;
        at += taken;
        if (this.bodyLeft === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[at++]!;
      if (this.state === 'type') {
        this.type = byte >> 4;
        this.length = 0;
        this.lengthBytes = 0;
        this.state = 'length';
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes >= MAX_LENGTH_BYTES) return false;
        continue;
      }
      if (!this.fits()) return false;
      this.packets++;
      this.bodyLeft = this.length;
      this.state = this.length === 0 ? 'type' : 'body';
    }
    return true;
  }

  private fits(): boolean {
    if (this.packets === 0) return this.type === CONNECT && this.length <= this.limits.connectBytes;
    return this.length <= this.limits.afterConnect();
  }
}

/**
 * Puts the guard between the socket and aedes, which takes what the socket holds with
 * `read()` on each 'readable': a chunk that starts an oversized packet is never handed on
 * and the socket is destroyed.
 */
export function guardSocket(socket: Socket, limits: PacketLimits, onRefused: () => void): void {
  const guard = new PacketSizeGuard(limits);
  const read = socket.read.bind(socket);
  socket.read = (size?: number) => {
    const chunk: unknown = read(size);
    if (!Buffer.isBuffer(chunk) || guard.accepts(chunk)) return chunk;
    onRefused();
    socket.destroy();
    return null;
  };
}
