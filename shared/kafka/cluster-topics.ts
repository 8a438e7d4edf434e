import type { Admin, Kafka } from 'kafkajs';

/**
 * The topics the cluster has, asked when wanted over an admin connection opened on first use (a
 * service whose outbox relay never finds a row never opens it).
 */
export class ClusterTopics {
  // the connecting admin, not the connected one: two sweeps asking at once share one connection
  private admin: Promise<Admin> | null = null;

  constructor(private readonly kafka: Kafka) {}

  async list(): Promise<ReadonlySet<string>> {
    this.admin ??= this.connect();
    return new Set(await (await this.admin).listTopics());
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await (await admin?.catch(() => null))?.disconnect();
  }

  private async connect(): Promise<Admin> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return admin;
    } catch (err) {
      this.admin = null; // the next ask tries again
      throw err;
    }
  }
}
