import { describeDatabaseUrl } from '../src';

describe('describeDatabaseUrl', () => {
  it('masks a MySQL password and leaves the rest to read', () => {
    expect(describeDatabaseUrl('mysql://app:s3cret@db.internal:3306/payments')).toBe('mysql://app:***@db.internal:3306/payments');
    expect(describeDatabaseUrl('MYSQL://root@127.0.0.1/monolith')).toBe('mysql://root@127.0.0.1/monolith');
  });

  it('never echoes an unparseable MySQL URL, which may hold a password', () => {
    expect(describeDatabaseUrl('mysql://app:p@ss:word@[broken')).toBe('mysql://(unparseable URL)');
  });

  it('leaves a SQLite path as it is', () => {
    expect(describeDatabaseUrl('.data/payments.sqlite')).toBe('.data/payments.sqlite');
  });
});
