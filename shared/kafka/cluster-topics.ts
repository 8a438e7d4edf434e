import type { Admin, Kafka } from 'kafkajs';

/**
 * The topics the cluster has, asked when wanted over an admin connection opened on first use (a
 * service whose outbox relay never finds a row never opens it).
 */
export class ClusterTopics {
  private admin: Admin | null = null;

  constructor(private readonly kafka: Kafka) {}

  async list(): Promise<ReadonlySet<string>> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return new Set(await this.admin.listTopics());
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect();
  }
}
