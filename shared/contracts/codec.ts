import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Type } from 'avsc';
import type { Config } from '../config';
import { withinDeadline } from '../deadline';
import { OmsError, permanent, transient } from '../errors';
import { subjectFor } from '../topics';
import { RegistryAdmin } from './registry-admin';
import { unrefRegistryAgent } from './registry-agent';
import { findSchemaByRecordName, schemaByRecordName } from './schemas';
import type { RecordTypes } from './types.generated';

export type RecordName = keyof RecordTypes;

export interface DecodedRecord {
  schemaId: number;
  recordName: string;
  value: Record<string, unknown>;
}

/** A record's schema id and name, and its body still to parse. */
export interface RecordHeader {
  schemaId: number;
  recordName: string;
  /** Parses the Avro body; throws `undecodable` if it does not match the schema. */
  body(): Record<string, unknown>;
}

type ReadBody = (body: Buffer) => Record<string, unknown>;

/**
 * Reads a body written with `writer` into this code's own schema of the record (Avro schema
 * resolution), so a field added since with a default reads as that default: a FraudCheckPassed
 * written before `forLineId` existed reads `forLineId: null`, not undefined (which handlers testing
 * `=== null` took for a line's id). A record this code has no schema for, or one its schema cannot
 * resolve (a newer writer's enum symbol), is read as written, as before.
 */
function resolvedReader(writer: Type, onUnresolvable: (why: string) => void): ReadBody {
  const asWritten: ReadBody = (body) => writer.fromBuffer(body) as Record<string, unknown>;
  const local = writer.name ? findSchemaByRecordName(writer.name) : undefined;
  if (!local) return asWritten;
  const reader = Type.forSchema(local.schema as never);
  if (reader.equals(writer)) return asWritten;
  try {
    const resolver = reader.createResolver(writer);
    return (body) => reader.fromBuffer(body, resolver) as Record<string, unknown>;
  } catch (err) {
    onUnresolvable((err as Error).message);
    return asWritten;
  }
}

/** A schema id whose writer this code's schema cannot resolve: its records are read as written (a newer release's, most likely). */
export interface UnresolvableSchema {
  schemaId: number;
  recordName: string;
  why: string;
}

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

export function createSchemaRegistry(config: Pick<Config, 'SCHEMA_REGISTRY_URL' | 'SCHEMA_REGISTRY_USERNAME' | 'SCHEMA_REGISTRY_PASSWORD'>) {
  const auth = config.SCHEMA_REGISTRY_USERNAME
    ? { username: config.SCHEMA_REGISTRY_USERNAME, password: config.SCHEMA_REGISTRY_PASSWORD }
    : undefined;
  const registry = new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL, auth, retry: { retries: 2 }, agent: unrefRegistryAgent(config.SCHEMA_REGISTRY_URL) });
  adminOf.set(registry, new RegistryAdmin(config));
  return registry;
}

// The REST calls the client does not offer (the global compatibility level), for the registries made here.
const adminOf = new WeakMap<SchemaRegistry, RegistryAdmin>();

/** The schema id of a Confluent-framed message (magic byte 0, then the id); undefined if it is not framed so. */
const schemaIdOf = (bytes: Buffer | null): number | undefined =>
  bytes && bytes.length >= HEADER_BYTES && bytes.readUInt8(0) === MAGIC_BYTE ? bytes.readInt32BE(1) : undefined;

const statusOf = (err: unknown) => (err as { status?: unknown })?.status;

// 401/403: the registry refused our credentials. A configuration fault, not the message's: retried
// (the partition waits for the fix), never dead-lettered as an unknown schema.
const isAuthRefused = (err: unknown) => statusOf(err) === 401 || statusOf(err) === 403;
const authRefused = (what: string, err: unknown) => {
  const status = statusOf(err) as number;
  return transient('registry_unavailable', `schema registry refused ${what}: HTTP ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}; check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD`, err);
};

// Only a 404 means the registry answered that the schema is not there (Confluent and Apicurio
// both say 404/40403 for any id they do not hold). The HTTP client reports a request that got no
// answer at all (connection refused or reset, timeout) as status 400: that is the registry being
// unavailable, retried, never a reason to dead-letter the message.
const isNotFound = (err: unknown) => statusOf(err) === 404;

// The client reports the registry's 404 for a subject it does not hold (the schema-id lookup) as a
// ConfluentSchemaRegistryError without the status, and that error for nothing else on that call.
const isSubjectUnknown = (err: unknown) => isNotFound(err) || (err as { name?: unknown })?.name === 'ConfluentSchemaRegistryError';

/**
 * A failed lookup as the project's error: ours (a deadline) as it is, refused credentials, `notFound`
 * when the registry answered that it does not hold it (`missing`), else unavailable.
 */
const lookupFailure = (err: unknown, what: string, notFound: OmsError, missing = isNotFound(err)): OmsError => {
  if (err instanceof OmsError) return err;
  if (isAuthRefused(err)) return authRefused(what, err);
  if (missing) return notFound;
  return transient('registry_unavailable', `schema registry unavailable for ${what}`, err);
};

interface SubjectConfigApi {
  config(a: { subject: string }): Promise<{ data(): { compatibilityLevel: string } }>;
  updateConfig(a: { subject: string; body: { compatibility: string } }): Promise<unknown>;
}

/**
 * Avro in the Confluent wire format (magic byte, 4-byte schema id, Avro body). Decoding is by
 * schema id, since several record types share a topic; the writer's schema is the registered one.
 */
export class AvroCodec {
  private readonly ids = new Map<string, number>();
  /** Schemas by id: an id's schema never changes. */
  private readonly types = new Map<number, Type>();
  private readonly readers = new Map<number, ReadBody>();

  /**
   * `timeoutMs`: how long any registry call may go unanswered (SCHEMA_REGISTRY_TIMEOUT_MS).
   * `onUnresolvable`: told once per schema id whose records are read as written, not into this
   * code's schema, so an operator learns that a newer writer is ahead of this release.
   */
  constructor(private readonly registry: SchemaRegistry, private readonly timeoutMs: number, private readonly onUnresolvable: (schema: UnresolvableSchema) => void = () => undefined) {}

  /**
   * Waits at most `timeoutMs` for a registry call, then fails it as retriable: a call the
   * registry never answers must not hold its caller forever (a consumer would neither heartbeat
   * nor fetch again). The call itself is left to settle in the background. A timeout on the HTTP
   * socket was tried and dropped (README, seventh session).
   */
  private answered<T>(call: Promise<T>, what: string, onTimeout: () => void = () => undefined): Promise<T> {
    return withinDeadline(call, this.timeoutMs, () => {
      onTimeout();
      return transient('registry_unavailable', `schema registry did not answer ${what} within ${this.timeoutMs} ms`);
    });
  }

  /**
   * Registers the record's schema under its topic subject with BACKWARD compatibility. The client
   * registers a new subject in two requests (the schema, then the subject's compatibility), so a
   * registration that timed out may have left the subject without its setting; `resume` (a
   * retry) sets BACKWARD on such a subject. A subject somebody configured otherwise is refused,
   * on a retry too: provisioning never overrides an operator's setting.
   */
  async register(physicalTopic: string, recordName: string, { resume = false } = {}): Promise<number> {
    const subject = subjectFor(physicalTopic, recordName);
    try {
      const id = await this.registerOnce(subject, recordName).catch(async (err: unknown) => {
        if ((err as Error)?.name !== 'ConfluentSchemaRegistryCompatibilityError') throw err;
        const level = await this.compatibilityOf(subject);
        if (!resume || level.own !== level.unset) {
          throw permanent('registry_misconfigured', `subject ${subject} has compatibility ${level.own}, not BACKWARD: provisioning does not change a subject's setting; set it to BACKWARD (PUT /config/${subject}) or register the schema by hand`, err);
        }
        await this.setBackward(subject);
        return this.registerOnce(subject, recordName);
      });
      this.ids.set(subject, id);
      return id;
    } catch (err) {
      throw isAuthRefused(err) ? authRefused(`to register ${subject}`, err) : err;
    }
  }

  private async registerOnce(subject: string, recordName: string): Promise<number> {
    const schema = { type: SchemaType.AVRO as const, schema: schemaByRecordName(recordName).text };
    const { id } = await this.answered(this.registry.register(schema, { subject, compatibility: 'BACKWARD' } as never), `the registration of ${subject}`);
    return id;
  }

  // the client's own API object: it has the config calls, but keeps them private
  private get subjectApi() {
    return (this.registry as unknown as { api: { Subject: SubjectConfigApi } }).api.Subject;
  }

  private async setBackward(subject: string): Promise<void> {
    await this.answered(this.subjectApi.updateConfig({ subject, body: { compatibility: 'BACKWARD' } }), `the compatibility of ${subject}`);
  }

  /**
   * The subject's compatibility, and what a subject without a setting of its own reads as. Apicurio
   * answers such a subject with the global level; Confluent answers 404, and the client never
   * refuses a subject that reads as 404. So a subject whose level differs from the global one was
   * configured by somebody. (One deliberately set to the global level looks unset.) Without the
   * global level (a client not made by createSchemaRegistry), every subject counts as configured.
   */
  private async compatibilityOf(subject: string): Promise<{ own: string; unset: string }> {
    const admin = adminOf.get(this.registry);
    const [own, unset] = await Promise.all([
      this.answered(this.subjectApi.config({ subject }), `the compatibility of ${subject}`).then((r) => r.data().compatibilityLevel.toUpperCase()),
      admin ? this.answered(admin.globalCompatibility(), 'the global compatibility') : Promise.resolve('(not known)'),
    ]);
    return { own, unset };
  }

  /** The id of this exact schema in the registry; producing needs it registered by provisioning. */
  async schemaId(physicalTopic: string, recordName: string): Promise<number> {
    const subject = subjectFor(physicalTopic, recordName);
    const cached = this.ids.get(subject);
    if (cached !== undefined) return cached;
    const { text } = schemaByRecordName(recordName);
    try {
      const id = await this.answered(this.registry.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: text }), `the lookup of ${subject}`);
      this.ids.set(subject, id);
      return id;
    } catch (err) {
      // our own record missing from the registry is a deployment fault, not the message's: the partition waits for provisioning
      const unregistered = transient('registry_misconfigured', `schema ${recordName} is not registered under ${subject}: run \`npm run provision\``, err);
      throw lookupFailure(err, `the lookup of ${subject}`, unregistered, isSubjectUnknown(err));
    }
  }

  /** Looks up the record's schema id and the schema for it now, so its first encode and decode make no registry request. */
  async preload(physicalTopic: string, recordName: RecordName): Promise<void> {
    await this.typeOf(await this.schemaId(physicalTopic, recordName));
  }

  async encode<N extends RecordName>(physicalTopic: string, recordName: N, value: RecordTypes[N]): Promise<Buffer> {
    const id = await this.schemaId(physicalTopic, recordName);
    const type = await this.typeOf(id);
    const body = type.toBuffer(value);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt8(MAGIC_BYTE, 0);
    header.writeInt32BE(id, 1);
    return Buffer.concat([header, body]);
  }

  async decode(bytes: Buffer | null): Promise<DecodedRecord> {
    const header = await this.readHeader(bytes);
    return { schemaId: header.schemaId, recordName: header.recordName, value: header.body() };
  }

  /**
   * The record's name from its schema id alone; the body is parsed only when `body()` is called,
   * so a consumer can drop another service's records without decoding them.
   */
  async readHeader(bytes: Buffer | null): Promise<RecordHeader> {
    const schemaId = schemaIdOf(bytes);
    if (schemaId === undefined || !bytes) throw permanent('undecodable', 'message is not in the Confluent wire format (magic byte 0 + schema id)');
    const type = await this.typeOf(schemaId);
    const read = this.readerOf(schemaId, type);
    const body = () => {
      try {
        return read(bytes.subarray(HEADER_BYTES));
      } catch (err) {
        throw permanent('undecodable', `Avro body does not match schema ${schemaId} (${type.name}): ${(err as Error).message}`, err);
      }
    };
    return { schemaId, recordName: type.name ?? 'unnamed', body };
  }

  /**
   * The record name of a framed message whose schema id is already known here, with no promise made;
   * undefined for anything else (readHeader then decides, and refuses what it must).
   */
  knownRecordName(bytes: Buffer | null): string | undefined {
    const schemaId = schemaIdOf(bytes);
    return schemaId === undefined ? undefined : this.types.get(schemaId)?.name;
  }

  /** How a body written with the schema id is read (resolvedReader), made once per id. */
  private readerOf(schemaId: number, writer: Type): ReadBody {
    let read = this.readers.get(schemaId);
    if (!read) {
      read = resolvedReader(writer, (why) => this.onUnresolvable({ schemaId, recordName: writer.name ?? 'unnamed', why }));
      this.readers.set(schemaId, read);
    }
    return read;
  }

  private async typeOf(schemaId: number): Promise<Type> {
    // every message asks: a known id is answered here, without the deadline's timer
    const known = this.types.get(schemaId);
    if (known) return known;
    // the client shares one request per unseen id among its callers; one never answered would be shared forever
    const forgetRequest = () => delete (this.registry as unknown as { cacheMissRequests: Record<number, unknown> }).cacheMissRequests[schemaId];
    try {
      const type = (await this.answered(this.registry.getSchema(schemaId), `for schema id ${schemaId}`, forgetRequest)) as unknown as Type;
      this.types.set(schemaId, type);
      return type;
    } catch (err) {
      throw lookupFailure(err, `schema id ${schemaId}`, permanent('unknown_schema', `schema id ${schemaId} is not in the registry`, err));
    }
  }
}
