import type { Config } from '../config';
import { transient } from '../errors';

type RegistryConfig = Pick<Config, 'SCHEMA_REGISTRY_URL' | 'SCHEMA_REGISTRY_USERNAME' | 'SCHEMA_REGISTRY_PASSWORD'>;

/** The few Confluent REST calls the kafkajs client does not offer: compatibility checks and the global level. */
export class RegistryAdmin {
  constructor(private readonly config: RegistryConfig) {}

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { 'Content-Type': 'application/vnd.schemaregistry.v1+json', Accept: 'application/json' };
    if (this.config.SCHEMA_REGISTRY_USERNAME) {
      headers.Authorization = 'Basic ' + Buffer.from(`${this.config.SCHEMA_REGISTRY_USERNAME}:${this.config.SCHEMA_REGISTRY_PASSWORD}`).toString('base64');
    }
    const url = this.config.SCHEMA_REGISTRY_URL.replace(/\/$/, '') + path;
    try {
      const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    } catch (err) {
      throw transient('registry_unavailable', `schema registry ${method} ${path} failed`, err);
    }
  }

  async subjects(): Promise<string[]> {
    const { status, json } = await this.call('GET', '/subjects');
    if (status !== 200) throw new Error(`GET /subjects answered ${status}`);
    return json as string[];
  }

  /** The registry's global compatibility level (what a subject without its own setting gets). */
  async globalCompatibility(): Promise<string> {
    const { status, json } = await this.call('GET', '/config');
    if (status !== 200) throw new Error(`GET /config answered ${status}`);
    return (json as { compatibilityLevel: string }).compatibilityLevel.toUpperCase();
  }

  /**
   * Whether `schema` may become the next version of `subject` under the subject's compatibility
   * level. A subject with no version yet accepts anything.
   */
  async isCompatible(subject: string, schema: string): Promise<{ compatible: boolean; messages: string[] }> {
    const { status, json } = await this.call('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, { schema });
    // a subject or version not found (Confluent's 40401/40402); any other 404 is a wrong SCHEMA_REGISTRY_URL, which must not read as compatible
    const errorCode = (json as { error_code?: unknown } | null)?.error_code;
    if (status === 404 && (errorCode === 40401 || errorCode === 40402)) return { compatible: true, messages: ['subject not registered yet'] };
    if (status === 404) return { compatible: false, messages: [`registry answered 404 without a subject error (is SCHEMA_REGISTRY_URL the registry's Confluent-compatible API?): ${JSON.stringify(json).slice(0, 200)}`] };
    if (status !== 200) return { compatible: false, messages: [`registry answered ${status}: ${JSON.stringify(json)}`] };
    const r = json as { is_compatible: boolean; messages?: string[] };
    return { compatible: r.is_compatible, messages: r.messages ?? [] };
  }
}
