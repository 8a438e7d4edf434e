import pino, { Logger } from 'pino';

/** Fields that carry customer personal data or secrets; pino replaces them wherever they appear. */
export const REDACTED_PATHS = [
  '*.email', '*.phone', '*.name', '*.line1', '*.line2', '*.postalCode', '*.token', '*.password',
  'customer', 'shippingAddress', 'billingAddress', 'payment.token',
  '*.customer', '*.shippingAddress', '*.billingAddress', 'password', 'token',
];

/** `processName` names the OS process (fleet, provision, ...); runners add `service` per consumer. */
export function createLogger(processName: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { process: processName },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export type { Logger };
