import { connectTestClient, type Payload, type TestMqttClient } from '@ei-gg/testbench';

/** A message the cloud received, with the time this test read it. */
export interface CloudMessage {
  topic: string;
  payload: Payload;
  at: number;
}

/**
 * The cloud's side of direct MQTT: subscribed to every device topic, keeping every message with its arrival
 * time. A broker outage drops its connection too; a new one (`connect` again) continues the same record.
 */
export class MqttCloud {
  readonly messages: CloudMessage[] = [];
  private readonly clients: TestMqttClient[] = [];

  /** Connects (again) to `url` and subscribes to every device topic; resolves once subscribed. */
  async connect(url: string): Promise<void> {
    await this.clients.pop()?.close();
    const client = await connectTestClient(url);
    this.clients.push(client);
    await client.subscribe('/edgeimpulse/device/#', 1);
    void this.read(client);
  }

  /** Messages on a topic ending with `suffix` that arrived at or after `since`. */
  received(suffix: string, since = 0): CloudMessage[] {
    return this.messages.filter((m) => m.at >= since && m.topic.endsWith(suffix));
  }

  /** Publishes a command to the device whose results arrive here (its topics are known from its first message). */
  async send(command: Record<string, unknown>): Promise<void> {
    const output = this.messages.find((m) => m.topic.endsWith('/command/output'));
    if (!output) throw new Error('no message from the device yet: its command topic is unknown');
    await this.clients[0].publish(output.topic.replace(/output$/, 'input'), command, { qos: 1 });
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
  }

  private async read(client: TestMqttClient): Promise<void> {
    while (this.clients.includes(client)) {
      const message = await client.nextMessage('#', 1000).catch(() => undefined);
      // Empty payloads (a retained message cleared) carry no result.
      if (message?.payload.length)
        this.messages.push({ topic: message.topic, payload: message.json<Payload>(), at: Date.now() });
    }
  }
}
