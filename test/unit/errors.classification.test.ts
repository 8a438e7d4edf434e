import { KnexTimeoutError } from 'knex';
import { classifyError } from '../../shared/errors';

describe('classifyError', () => {
  it('when every pooled connection stays busy past the acquire timeout, then it is retriable (the message is fine, the database is slow)', () => {
    const err = classifyError(new KnexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full.'));
    expect(err).toMatchObject({ code: 'database_unavailable', retriable: true });
  });

  it('when Postgres reports a deadlock, then it is retriable; when a handler throws something unknown, then it is not classified as retriable', () => {
    expect(classifyError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toMatchObject({ retriable: true });
    expect(classifyError(new Error('boom'))).toMatchObject({ code: 'handler_failed', retriable: false });
  });

  it.each([
    ['42P01', 'relation "order_lines" does not exist'],
    ['42703', 'column "previous_state" does not exist'],
    ['42883', 'function gen_random_uuid() does not exist'],
    ['42501', 'permission denied for table order_lines'],
    ['3F000', 'schema "oms" does not exist'],
  ])('when Postgres reports SQLSTATE %s (%s), then the database does not match the code: retriable, not the message\'s fault', (code, message) => {
    expect(classifyError(Object.assign(new Error(message), { code }))).toMatchObject({ code: 'database_misconfigured', retriable: true });
  });

  it.each([
    ['26000', 'prepared statement "oms_inbox_record" does not exist'],
    ['42P05', 'prepared statement "oms_outbox_sent" already exists'],
  ])('when Postgres reports SQLSTATE %s (%s), then the statements reached another server connection (a pooler in transaction mode): retriable, with what to set', (code, message) => {
    const err = classifyError(Object.assign(new Error(message), { code }));
    expect(err).toMatchObject({ code: 'database_misconfigured', retriable: true });
    expect(err.message).toContain(message);
    expect(err.message).toMatch(/DATABASE_NAMED_STATEMENTS=false/);
  });

  it('when Postgres rejects a value (a check or unique violation), then it stays unclassified: that one message is at fault', () => {
    expect(classifyError(Object.assign(new Error('violates check constraint'), { code: '23514' }))).toMatchObject({ code: 'handler_failed', retriable: false });
  });
});
