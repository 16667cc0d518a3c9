/** TCP_NODELAY for mqtt.js clients, which open their socket without it. */
import type { MqttClient } from 'mqtt';

/**
 * Without TCP_NODELAY, a small MQTT packet written while the previous one is still
 * unacknowledged waits for the peer's delayed ACK (40 ms on Linux): a vend command, a
 * machine's result or its PUBACK would sit that long even on loopback. The socket is new
 * after every reconnect, so the option is set on each connect.
 */
export function withoutNagleDelay(client: MqttClient): MqttClient {
  const setNoDelay = () => {
    const socket = client.stream as { setNoDelay?: (noDelay: boolean) => unknown } | undefined;
    socket?.setNoDelay?.(true);
  };
  setNoDelay();
  client.on('connect', setNoDelay);
  return client;
}
