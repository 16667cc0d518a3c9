/** A machine's QoS 1 publish that gives up when its connection closes (the machine simulator's reports). */
import type { MqttClient } from 'mqtt';

/**
 * Publishes with QoS 1 and resolves true on the PUBACK, or false as soon as the connection
 * closes first: a broker that died just now must not hold the keypad until it is back (the
 * report stays unacknowledged and goes again after the reconnect).
 */
export async function publishUnlessClosed(client: MqttClient, topic: string, message: string): Promise<boolean> {
  let onClose: () => void = () => undefined;
  const closed = new Promise<boolean>((resolve) => (onClose = () => resolve(false)));
  client.once('close', onClose);
  try {
    return await Promise.race([client.publishAsync(topic, message, { qos: 1 }).then(() => true), closed]);
  } finally {
    client.removeListener('close', onClose);
  }
}
