/**
 * The generated Mosquitto configuration (`vendcloud mqtt acl`), on a Mosquitto of the test's
 * own: a machine's client id is its username on the machines' listener, so a machine of
 * another merchant cannot disconnect it by connecting with its client id; retained messages
 * are refused.
 */
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { SERVER_TOPIC } from '../../src/protocol/machine-messages.js';
import { needs } from '../helpers/components.js';
import { uniqueMachineNo } from '../helpers/link.js';
import { startOwnMosquitto } from '../helpers/mosquitto.js';
import { describe, it } from '../helpers/node-test.js';

async function connected(url: string, clientId: string, username: string, password: string): Promise<mqtt.MqttClient> {
  const client = mqtt.connect(url, { clientId, username, password, reconnectPeriod: 0, protocolVersion: 4 });
  await new Promise((resolve, reject) => (client.once('connect', resolve), client.once('error', reject)));
  return client;
}

describe('the Mosquitto recipe', needs('mosquitto'), () => {
  it("a machine connecting with another machine's client id does not disconnect it; a retained message disconnects its sender", async () => {
    const mosquitto = await startOwnMosquitto();
    try {
      const [a, b] = [uniqueMachineNo(), uniqueMachineNo()];
      await mosquitto.addMachine(a, 'password-of-a');
      await mosquitto.addMachine(b, 'password-of-b');
      const machineA = await connected(mosquitto.url, a, a, 'password-of-a');
      let aClosed = false;
      machineA.on('close', () => (aClosed = true));
      const intruder = await connected(mosquitto.url, a, b, 'password-of-b');
      // After the intruder's CONNACK, A's own round trip shows it was not taken over.
      await machineA.publishAsync(SERVER_TOPIC, 'still here', { qos: 1 });
      assert.equal(aClosed, false);

      intruder.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
      intruder.publish(SERVER_TOPIC, 'left for later subscribers', { qos: 1, retain: true });
      await closed;
      intruder.end(true);
      await machineA.endAsync();
    } finally {
      await mosquitto.stop();
    }
  });
});
