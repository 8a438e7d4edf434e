import { createHash } from 'crypto';
import type { Config } from '../../shared/config';
import { transient } from '../../shared/errors';

/**
 * The payment gateway port. Every call carries an idempotency key, so a retried call (after a
 * timeout or a crash) can never charge twice; a timeout throws a retriable `gateway_timeout`.
 */
export interface AuthorizeRequest {
  idempotencyKey: string;
  amountMinor: number;
  currency: string;
  method: string;
  token: string;
}
export interface FollowUpRequest {
  idempotencyKey: string;
  /** The gateway's transaction id of the authorization (or capture, for a refund). */
  transactionId: string;
  amountMinor: number;
  currency: string;
}
export type GatewayResult = { status: 'approved'; transactionId: string } | { status: 'declined'; reasonCode: string; message: string };

export interface PaymentGateway {
  readonly name: string;
  authorize(r: AuthorizeRequest): Promise<GatewayResult>;
  capture(r: FollowUpRequest): Promise<GatewayResult>;
  void(r: FollowUpRequest): Promise<GatewayResult>;
  refund(r: FollowUpRequest): Promise<GatewayResult>;
}

const EXPIRING_AUTH = 'authexp';
const lapsed = (r: FollowUpRequest): GatewayResult | null =>
  r.transactionId.startsWith(`${EXPIRING_AUTH}_`) ? { status: 'declined', reasonCode: 'authorization_expired', message: 'the authorization expired' } : null;
const txId = (prefix: string, key: string) => `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;

/**
 * The built-in simulated gateway: the payment token decides the outcome, so demos and tests can
 * ask for each path. tok_decline → card_declined; tok_insufficient → insufficient_funds;
 * tok_timeout_once → the first call per idempotency key times out, the retry succeeds;
 * tok_expiring_auth → authorized, but a capture or void of that authorization is declined
 * (authorization_expired, as when a warehouse ships after the card network let it lapse);
 * tok_limit_<minor> → a card with that credit limit: authorizations are approved while their sum
 * stays within it, then declined (credit_limit_exceeded), as an added line's raise can be; the sum
 * lives in this process and voids do not give it back;
 * anything else → approved. Same idempotency key, same answer and transaction id.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly name = 'simulated';
  private readonly timedOut = new Set<string>();
  private readonly authorizedOnCard = new Map<string, number>();
  private readonly limitAnswers = new Map<string, GatewayResult>();

  async authorize(r: AuthorizeRequest): Promise<GatewayResult> {
    const limit = /^tok_limit_(\d+)$/.exec(r.token);
    if (limit) return this.withinLimit(r, Number(limit[1]));
    if (r.token === 'tok_decline') return { status: 'declined', reasonCode: 'card_declined', message: 'the issuer declined the card' };
    if (r.token === 'tok_insufficient') return { status: 'declined', reasonCode: 'insufficient_funds', message: 'insufficient funds' };
    if (r.token === 'tok_timeout_once' && !this.timedOut.has(r.idempotencyKey)) {
      this.timedOut.add(r.idempotencyKey);
      throw transient('gateway_timeout', 'simulated gateway timed out');
    }
    return { status: 'approved', transactionId: txId(r.token === 'tok_expiring_auth' ? EXPIRING_AUTH : 'auth', r.idempotencyKey) };
  }
  private withinLimit(r: AuthorizeRequest, limitMinor: number): GatewayResult {
    const answered = this.limitAnswers.get(r.idempotencyKey);
    if (answered) return answered;
    const used = this.authorizedOnCard.get(r.token) ?? 0;
    const answer: GatewayResult = used + r.amountMinor <= limitMinor
      ? { status: 'approved', transactionId: txId('auth', r.idempotencyKey) }
      : { status: 'declined', reasonCode: 'credit_limit_exceeded', message: `the card's limit of ${limitMinor} minor units would be exceeded` };
    if (answer.status === 'approved') this.authorizedOnCard.set(r.token, used + r.amountMinor);
    this.limitAnswers.set(r.idempotencyKey, answer);
    return answer;
  }

  async capture(r: FollowUpRequest): Promise<GatewayResult> {
    return lapsed(r) ?? { status: 'approved', transactionId: txId('cap', r.idempotencyKey) };
  }
  async void(r: FollowUpRequest): Promise<GatewayResult> {
    return lapsed(r) ?? { status: 'approved', transactionId: txId('void', r.idempotencyKey) };
  }
  async refund(r: FollowUpRequest): Promise<GatewayResult> {
    return { status: 'approved', transactionId: txId('ref', r.idempotencyKey) };
  }
}

/** Statuses that refuse the request itself, whatever the moment: retrying them cannot succeed. */
const REQUEST_REFUSED = new Set([400, 404, 410]);

/**
 * A gateway over HTTP: POST {base}/{authorizations|captures|voids|refunds} with JSON, an
 * `Idempotency-Key` header and a bearer key. 2xx → approved ({transactionId}); 402/422 → declined
 * ({reasonCode, message}); 400/404/410 → declined as `gateway_refused_<status>`; timeouts,
 * network errors and any other status → retriable (a wrong key, 401/403, is logged at each retry).
 */
export class HttpGateway implements PaymentGateway {
  readonly name = 'http';
  constructor(private readonly baseUrl: string, private readonly apiKey: string, private readonly timeoutMs: number) {}

  private async call(path: string, key: string, body: object): Promise<GatewayResult> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw transient('gateway_timeout', `payment gateway ${path} did not answer within ${this.timeoutMs} ms`, err);
    }
    const json = (await res.json().catch(() => ({}))) as { transactionId?: string; reasonCode?: string; message?: string };
    if (res.ok && json.transactionId) return { status: 'approved', transactionId: json.transactionId };
    if (res.status === 402 || res.status === 422) return { status: 'declined', reasonCode: json.reasonCode ?? 'declined', message: json.message ?? `gateway answered ${res.status}` };
    // the request itself refused (malformed, or naming a transaction the gateway does not have): the same request will never
    // be taken, and retrying it would hold the partition for ever. 401/403 (our key), 409 (the same key in flight) and 429 may pass.
    if (REQUEST_REFUSED.has(res.status)) {
      return { status: 'declined', reasonCode: json.reasonCode ?? `gateway_refused_${res.status}`, message: json.message ?? `gateway answered ${res.status}` };
    }
    throw transient('gateway_timeout', `payment gateway ${path} answered ${res.status}`);
  }

  authorize(r: AuthorizeRequest) {
    return this.call('authorizations', r.idempotencyKey, { amountMinor: r.amountMinor, currency: r.currency, method: r.method, token: r.token });
  }
  capture(r: FollowUpRequest) {
    return this.call('captures', r.idempotencyKey, r);
  }
  void(r: FollowUpRequest) {
    return this.call('voids', r.idempotencyKey, r);
  }
  refund(r: FollowUpRequest) {
    return this.call('refunds', r.idempotencyKey, r);
  }
}

export function createPaymentGateway(config: Pick<Config, 'PAYMENT_GATEWAY' | 'PAYMENT_GATEWAY_URL' | 'PAYMENT_GATEWAY_API_KEY' | 'PAYMENT_GATEWAY_TIMEOUT_MS'>): PaymentGateway {
  return config.PAYMENT_GATEWAY === 'http'
    ? new HttpGateway(config.PAYMENT_GATEWAY_URL, config.PAYMENT_GATEWAY_API_KEY, config.PAYMENT_GATEWAY_TIMEOUT_MS)
    : new SimulatedGateway();
}
