import pino, { Logger } from 'pino';

/** Fields that carry customer personal data or secrets; pino replaces them wherever they appear. */
export const REDACTED_PATHS = [
  'customer', 'shippingAddress', 'billingAddress', 'recipient', 'email', 'phone', 'token', 'password',
  '*.customer', '*.shippingAddress', '*.billingAddress', '*.recipient', '*.email', '*.phone', '*.token', '*.password',
  '*.line1', '*.line2', '*.postalCode',
];

/** `processName` names the OS process (fleet, provision, ...); runners add `service` per consumer. */
export function createLogger(processName: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { process: processName },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
