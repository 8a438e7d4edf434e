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
});
