import { existsSync } from 'fs';
import { z } from 'zod';

/**
 * Every setting the fleet reads, with its documentation and default. Parsed once at start-up;
 * all problems are reported together, by variable name. The README's configuration table is
 * generated from this list (`npm run config:doc`), so it cannot drift.
 */
export interface Setting<T> {
  readonly doc: string;
  readonly default?: string;
  readonly secret?: boolean;
  readonly schema: z.ZodType<T>;
}

// at most what a Node timer can wait: a longer interval or timeout would fire after 1 ms
const positiveInt = z.coerce.number().int().positive().max(2_147_483_647);
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

export const settings = {
  DATABASE_URL: setting({
    doc: 'PostgreSQL connection URL of the status store.',
    default: 'postgres://postgres@127.0.0.1:5432/postgres',
    secret: true,
    schema: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
  }),
  DATABASE_POOL_MAX: setting({ doc: 'Connections per process in the Postgres pool.', default: '10', schema: positiveInt }),
  DATABASE_RANDOM_PAGE_COST: setting({
    doc: 'Postgres planner\'s cost of a random page read for this process\'s sessions (random_page_cost). 1.1 suits a status store whose working set is in memory or on SSD: the handlers\' reads of a batch of orders by id then use indexes instead of scanning whole tables. Empty: the server\'s setting (Postgres\'s default 4 assumes spinning disks).',
    default: '1.1',
    schema: z.string().transform((s) => (s.trim() === '' ? null : Number(s))).pipe(z.number().positive().finite().nullable()),
  }),
  DATABASE_NAMED_STATEMENTS: setting({
    doc: 'The saga\'s fixed-shape statements are named prepared statements, parsed and planned once per connection (planning was about a quarter of their database time). false sends them unnamed, parsed and planned each time: for a connection pooler in transaction mode that does not keep prepared statements (PgBouncer before 1.21, or without `max_prepared_statements`), where a named statement meets a server connection that never prepared it and every message waits, retried as `database_misconfigured`.',
    default: 'true',
    schema: bool,
  }),
  DATABASE_SERVICE_ROLES: setting({
    doc: 'Every runner transaction first runs `SET LOCAL ROLE oms_<service>`, so a service can write only its own tables (roles from migration 004; the connecting user must be a member).',
    default: 'true',
    schema: bool,
  }),
  KAFKA_BROKERS: setting({
    doc: 'Comma-separated bootstrap brokers, host:port.',
    default: '127.0.0.1:9092',
    schema: z
      .string()
      .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  }),
  KAFKA_CLIENT_ID: setting({ doc: 'Kafka client id prefix.', default: 'oms', schema: z.string().min(1) }),
  KAFKA_TOPIC_PREFIX: setting({
    doc: 'Prefix put before every topic name (e.g. `staging.`); empty in production.',
    default: '',
    schema: z.string().regex(/^[A-Za-z0-9._-]*$/, 'only letters, digits, dot, dash, underscore'),
  }),
  KAFKA_GROUP_PREFIX: setting({ doc: 'Consumer group id prefix; the group is `<prefix>-<service>`.', default: 'oms', schema: z.string().min(1) }),
  KAFKA_SASL_MECHANISM: setting({
    doc: 'SASL mechanism: none, scram-sha-256 or scram-sha-512.',
    default: 'none',
    schema: z.enum(['none', 'scram-sha-256', 'scram-sha-512']),
  }),
  KAFKA_SASL_USERNAME: setting({ doc: 'SASL user name (when a mechanism is set).', default: '', schema: z.string() }),
  KAFKA_SASL_PASSWORD: setting({ doc: 'SASL password (when a mechanism is set).', default: '', secret: true, schema: z.string() }),
  KAFKA_SSL: setting({ doc: 'Use TLS to the brokers.', default: 'false', schema: bool }),
  KAFKA_SSL_CA_FILE: setting({
    doc: 'PEM file of the CA(s) that signed the brokers\' certificates (when KAFKA_SSL=true); empty: the system CAs.',
    default: '',
    schema: z.string().refine((p) => p === '' || existsSync(p), 'file not found'),
  }),
  KAFKA_RETRY_MAX_MS: setting({
    doc: 'Longest wait between two retries of a Kafka client (kafkajs\'s `maxRetryTime`, 30000 there), and so the longest a consumer that kafkajs restarts after a crash waits before it rejoins. A broker away for a while pushes every client\'s back-off to this cap, so after it comes back consumers may wait this long before they fetch again.',
    default: '5000',
    schema: z.coerce.number().int().min(300).max(300000),
  }),
  SCHEMA_REGISTRY_URL: setting({
    doc: 'Confluent-compatible Schema Registry base URL (Apicurio: include /apis/ccompat/v7).',
    default: 'http://127.0.0.1:8081/apis/ccompat/v7',
    schema: z.string().url(),
  }),
  SCHEMA_REGISTRY_USERNAME: setting({ doc: 'Schema Registry basic-auth user (optional).', default: '', schema: z.string() }),
  SCHEMA_REGISTRY_PASSWORD: setting({ doc: 'Schema Registry basic-auth password (optional).', default: '', secret: true, schema: z.string() }),
  SCHEMA_REGISTRY_TIMEOUT_MS: setting({
    doc: 'How long any Schema Registry call may go unanswered (lookups by consumers, registrations by provisioning). Then it is `registry_unavailable`: consumers retry (the partition waits), provisioning sends the registration again (3 attempts). Only the registry answering 404 makes a message `unknown_schema` and dead-letters it.',
    default: '30000',
    schema: positiveInt,
  }),
  LOG_LEVEL: setting({
    doc: 'pino log level.',
    default: 'info',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  }),
  SERVICES: setting({
    doc: 'Which services this process runs: `all` or a comma-separated list (intake, ...).',
    default: 'all',
    schema: z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  }),
  HEAP_GROWING_PERCENT: setting({
    doc: 'How far V8 lets a fleet or API process\'s heap grow past what survived its last full garbage collection before it runs the next one, in percent. 0 (the default) leaves V8\'s own factor, which reaches 300 % when collections are cheap: a service holding a fetch of messages while it works (20–40 MB live) peaked at 174–277 MB of RSS over a 10,000-order backlog. 30 kept every process of that backlog at 136–162 MB for 1.21× the fleet\'s CPU (bench/HISTORY.md, seventeenth session). Memory for CPU: set it where memory is the binding limit.',
    default: '0',
    schema: z.coerce.number().int().min(0).max(1000),
  }),
  FLEET_STOP_TIMEOUT_MS: setting({
    doc: 'How long a fleet process may take to stop after SIGTERM/SIGINT (finish the chunks in hand, commit offsets, leave the groups) before it exits with code 1 anyway; whatever it had not committed is redelivered and de-duplicated. Keep it below the supervisor\'s kill grace period.',
    default: '30000',
    schema: positiveInt,
  }),
  FLEET_LOAD_LOG_INTERVAL_MS: setting({
    doc: 'How often a fleet process logs its load: the share of time its event loop was busy, the event-loop delay p99, RSS and heap (`load` at info; a warning at 90 % busy or more, when every message of the process waits for its one event loop: see How to scale). 0 = never.',
    default: '60000',
    schema: z.coerce.number().int().min(0),
  }),
  RUNNER_RETRY_INITIAL_MS: setting({ doc: 'First back-off after a retriable failure.', default: '200', schema: positiveInt }),
  RUNNER_RETRY_MAX_MS: setting({ doc: 'Back-off cap between retries of one message.', default: '10000', schema: positiveInt }),
  RUNNER_SESSION_TIMEOUT_MS: setting({
    doc: 'Kafka consumer session timeout: how long a crashed instance keeps its partitions before the group moves them (6000–300000 with broker defaults).',
    default: '30000',
    schema: z.coerce.number().int().min(6000).max(300000),
  }),
  RUNNER_STALL_TIMEOUT_MS: setting({
    doc: 'A service instance whose Kafka consumer shows no sign of life this long (no fetch started, no error logged by its Kafka client, no crash-and-restart, no chunk or retry of its own) is taken as hung, and so is a batch in hand that makes no progress this long (no chunk of its own, no retry, no client error): it logs a fatal line and the fleet process exits with code 1 for its supervisor to restart it, as when kafkajs gives up. A running consumer fetches at least every RUNNER_FETCH_MAX_WAIT_MS (at most 5 s), and while the broker is unreachable its client logs errors, so an outage alone does not count. 0 = never (10000 or more otherwise).',
    default: '180000',
    schema: z.coerce.number().int().refine((ms) => ms === 0 || ms >= 10000, 'must be 0 (never) or at least 10000'),
  }),
  RUNNER_PARTITIONS_CONCURRENCY: setting({
    doc: 'Partition batches of one fetch a service instance takes at once; those handed in together are joined into one transaction of up to RUNNER_MAX_BATCH messages (order within a partition is kept). 32 covers every partition a service reads here; at 250 orders/s offered it gave p50 357 ms against 1,040 with 3 (bench/HISTORY.md).',
    default: '32',
    schema: positiveInt,
  }),
  RUNNER_MAX_BATCH: setting({
    doc: 'Messages handled in one transaction, their events sent together (1 = one at a time). Only a backlog fills a chunk: 2000 drained a 10,000-order backlog 1.46× faster than 1000 (medians of 4 alternated pairs, 4 of 4 faster; 1.65× over 30,000 orders) for about 25 MB more peak RSS in the backlogged process, and left max rate within the noise; 1000 had drained 1.38× faster than 500 (bench/HISTORY.md). A chunk that fails is rerun one message at a time, heartbeating; its events go in sends of at most 900 KiB, under the broker\'s 1 MiB per partition batch.',
    default: '2000',
    schema: positiveInt,
  }),
  RUNNER_COMMIT_INTERVAL_MS: setting({
    doc: 'How often a service instance commits the Kafka offsets of the messages it has finished, in one request for all its partitions (also on stop). kafkajs\'s commit after every batch queued many commits per fetch on the coordinator (bench/HISTORY.md). A crash redelivers up to this much work, which the inbox skips.',
    default: '1000',
    schema: positiveInt,
  }),
  RUNNER_FETCH_MAX_BYTES: setting({
    doc: 'Most bytes one fetch of a service instance brings in (each partition at most this or 1 MiB); the default is kafkajs\'s. Under a backlog every fetched message is held until its chunk commits: 1 MiB cut the backlogged payment process from 266–293 MB to 181–184 MB peak RSS but its drain from about 2,550 to 1,540–1,930 messages/s (bench/HISTORY.md). The broker still returns one record batch larger than this, so nothing stalls.',
    default: '10485760',
    schema: positiveInt,
  }),
  RUNNER_FETCH_MAX_WAIT_MS: setting({
    doc: 'Longest a fetch of a service instance waits at the broker when there is nothing to read (the Java client\'s `fetch.max.wait.ms`, 500 there; kafkajs\'s own is 5000). A graceful stop waits for the fetch in flight, so this bounds how long a stop of an idle instance takes; a fetch returns as soon as there is a message, so under traffic it changes nothing. An idle instance sends one fetch per this interval.',
    default: '500',
    schema: z.coerce.number().int().min(10).max(5000),
  }),
  RUNNER_MAX_UNCLASSIFIED_ATTEMPTS: setting({
    doc: 'Attempts for an error the runner cannot classify before the message goes to the DLQ.',
    default: '5',
    schema: positiveInt,
  }),
  PRICING_RULES_FILE: setting({ doc: 'Pricing rules (discounts, promotions, taxes, shipping); format in config/README.md.', default: 'config/pricing.json', schema: z.string().min(1) }),
  FRAUD_RULES_FILE: setting({ doc: 'Fraud rules and thresholds; format in config/README.md.', default: 'config/fraud.json', schema: z.string().min(1) }),
  PAYMENT_GATEWAY: setting({
    doc: '`simulated` (outcome follows the payment token, for demos and tests) or `http` (a real gateway at PAYMENT_GATEWAY_URL).',
    default: 'simulated',
    schema: z.enum(['simulated', 'http']),
  }),
  PAYMENT_GATEWAY_URL: setting({
    doc: 'Base URL of the HTTP payment gateway (when PAYMENT_GATEWAY=http), without a user or password (the key goes in PAYMENT_GATEWAY_API_KEY).',
    default: '',
    // fetch refuses a URL with credentials, and each payment would be retried as a timeout for ever
    schema: z.union([z.literal(''), z.string().url().refine((u) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(u), 'must not carry a user or password: put the key in PAYMENT_GATEWAY_API_KEY')]),
  }),
  PAYMENT_GATEWAY_API_KEY: setting({ doc: 'Bearer key for the HTTP payment gateway.', default: '', secret: true, schema: z.string() }),
  PAYMENT_GATEWAY_TIMEOUT_MS: setting({ doc: 'Timeout of one gateway call; a timeout is retried with the same idempotency key.', default: '5000', schema: positiveInt }),
  NOTIFY_LINE_REFUSED_PER_ORDER: setting({
    doc: 'Most LINE_REFUSED notifications one order sends its customer. A channel that adds many lines that are refused would otherwise make a message for each; past the limit a refused line\'s notification is recorded in `notifications` as withheld (`withheld_reason`) and not sent. 0 = no limit.',
    default: '10',
    schema: z.coerce.number().int().min(0).max(2_147_483_647),
  }),
  INVENTORY_DEFAULT_LOCATION: setting({ doc: 'Location used when a StockLevelSet names none.', default: 'main', schema: z.string().min(1) }),
  API_HOST: setting({ doc: 'Address the HTTP API listens on.', default: '127.0.0.1', schema: z.string().min(1) }),
  API_PORT: setting({ doc: 'Port of the HTTP API (pages at /track and /ops, OpenAPI at /openapi.json).', default: '8080', schema: z.coerce.number().int().min(1).max(65535) }),
  API_KEYS: setting({
    doc: 'API keys and their scope, `key:scope` separated by commas; scopes: channel, operator, support (read-only). A channel key bound to one channel, `key:channel=web`, submits for that channel only and reads and acts on its orders only (others answer 404); an unbound channel key acts on every channel\'s orders, and the API warns of it at start-up. Empty: only customer tracking works.',
    default: '',
    secret: true,
    schema: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[A-Za-z0-9._~-]{16,}:(channel(=[^\s,:=]{1,200})?|operator|support)$/, 'each entry must be <key of 16+ characters>:<channel|channel=<name>|operator|support>'))),
  }),
  API_BODY_LIMIT_BYTES: setting({ doc: 'Largest request body the API accepts.', default: '65536', schema: positiveInt }),
  OUTBOX_RELAY_INTERVAL_MS: setting({ doc: 'How often the outbox relay sweeps for unsent events.', default: '1000', schema: positiveInt }),
  OUTBOX_SEND_TIMEOUT_MS: setting({
    doc: 'How long a send of outbox events may go unacknowledged before it fails: the runner leaves its rows to the relay, and a relay sweep rolls back and unlocks its rows for the next sweep. kafkajs bounds its own retries, but a send that never settles would otherwise hold the service\'s next chunk, or the relay and its row locks, for good. A late send may still land; consumers de-duplicate.',
    default: '60000',
    schema: z.coerce.number().int().min(1000),
  }),
  OUTBOX_RELAY_GRACE_MS: setting({
    doc: 'The relay leaves outbox rows younger than this to the runner that wrote them (it sends right after its commit); older rows are a crash\'s or a failed send\'s, and the relay sends them.',
    default: '5000',
    schema: positiveInt,
  }),
  INBOX_RETENTION_HOURS: setting({
    doc: 'How long a consumer keeps the record that it handled an event, to skip the event if it comes again. Keep it at least the topics\' retention (Kafka\'s default is 168 h): a consumer group that lost its offsets re-reads all the topics retain.',
    default: '168',
    schema: positiveInt,
  }),
  RESERVATION_HOLD_SECONDS: setting({
    doc: 'How long inventory holds stock for an order whose payment is not yet authorized (still Processing); then the order is cancelled as reservation_expired and the stock released. A paid order keeps its hold until it ships. 0: holds never expire.',
    default: '3600',
    schema: z.coerce.number().int().min(0),
  }),
  RESERVATION_EXPIRY_INTERVAL_MS: setting({ doc: 'How often inventory looks for holds older than RESERVATION_HOLD_SECONDS.', default: '60000', schema: positiveInt }),
  FRAUD_VELOCITY_RETENTION_HOURS: setting({
    doc: 'How long fraud keeps each order\'s velocity keys (customer, e-mail, payment token). Must cover the velocity window of FRAUD_RULES_FILE, checked at start-up; the rest is how late an OrderPlaced may reach its fraud check and still be counted against a full window.',
    default: '24',
    schema: positiveInt,
  }),
  FRAUD_VELOCITY_PRUNE_INTERVAL_MS: setting({ doc: 'How often fraud deletes velocity keys older than FRAUD_VELOCITY_RETENTION_HOURS.', default: '600000', schema: positiveInt }),
  INBOX_PRUNE_INTERVAL_MS: setting({ doc: 'How often each service deletes its inbox rows older than INBOX_RETENTION_HOURS (also once at start-up).', default: '600000', schema: positiveInt }),
} as const;

export type Settings = typeof settings;
export type Config = { [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates every setting; throws one ConfigError listing all problems. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[name] ?? s.default;
    const parsed = s.schema.safeParse(raw);
    if (parsed.success) out[name] = parsed.data;
    else problems.push(`${name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  const c = out as Config;
  if (problems.length === 0 && c.KAFKA_SASL_MECHANISM !== 'none' && (!c.KAFKA_SASL_USERNAME || !c.KAFKA_SASL_PASSWORD)) {
    problems.push('KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set');
  }
  if (problems.length === 0 && c.KAFKA_SSL_CA_FILE && !c.KAFKA_SSL) {
    problems.push('KAFKA_SSL_CA_FILE: only used with KAFKA_SSL=true; set both or neither');
  }
  if (problems.length === 0 && c.PAYMENT_GATEWAY === 'http' && !c.PAYMENT_GATEWAY_URL) {
    problems.push('PAYMENT_GATEWAY_URL: required when PAYMENT_GATEWAY=http');
  }
  if (problems.length) throw new ConfigError(problems);
  return c;
}

/**
 * A URL with its password masked: in the user info (split at the last @, as URL parsers do), and
 * in a `password` query parameter, which pg reads too. Anything that is not a URL is returned as is.
 */
export function maskUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  const masked = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i, (_all, scheme: string, userInfo: string) => `${scheme}${userInfo.split(':')[0]}${userInfo.includes(':') ? ':***' : ''}@`);
  return masked.replace(/([?&][^=&#]*pass[^=&#]*=)[^&#]*/gi, '$1***');
}

/** The configuration as it may be logged: secrets masked, passwords removed from URLs. */
export function describeConfig(c: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(settings) as [keyof Config, Setting<unknown>][]) {
    const v = c[name];
    // a secret URL keeps its host and user (postgres://u:***@db); any URL may carry a password (https://user:pass@registry)
    if (s.secret && v && name !== 'DATABASE_URL') out[name] = '***';
    else out[name] = typeof v === 'string' ? maskUrlPassword(v) : v;
  }
  return out;
}
