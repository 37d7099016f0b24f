import { REDACTED, maskEmails, redactAt, redactHeaders, redactJson, redactText, redactUrl } from '../src/shadow/redaction';

describe('redaction', () => {
  it('masks emails, keeping first letter and domain', () => {
    expect(maskEmails('contact ada.lovelace@example.com or bob@mail.example.org')).toBe('contact a***@example.com or b***@mail.example.org');
    expect(maskEmails('no email here @ all')).toBe('no email here @ all');
  });

  it('blanks secret-named fields at any depth and masks emails in values', () => {
    const redacted = redactJson({
      user: { email: 'ada@example.com', name: 'Ada', password: 'hunter2' },
      token: 'abc',
      sessions: [{ accessToken: 'x', refresh_token: 'y' }],
      Authorization: 'Bearer x',
      apiKey: 'k',
      clientSecret: 's',
      amount: '19.99',
    });
    expect(redacted).toEqual({
      user: { email: 'a***@example.com', name: 'Ada', password: REDACTED },
      token: REDACTED,
      sessions: REDACTED,
      Authorization: REDACTED,
      apiKey: REDACTED,
      clientSecret: REDACTED,
      amount: '19.99',
    });
  });

  it('blanks a value whose path names a secret, even when the value is a scalar', () => {
    expect(redactAt('/token', 'abc')).toBe(REDACTED);
    expect(redactAt('/auth/password/0', 'x')).toBe(REDACTED);
    expect(redactAt('/user/email', 'ada@example.com')).toBe('a***@example.com');
    expect(redactAt('/user', { email: 'ada@example.com', token: 't' })).toEqual({ email: 'a***@example.com', token: REDACTED });
    expect(redactAt('/x', undefined)).toBeUndefined();
    expect(redactAt('header:set-cookie', 'present')).toBe('present');
  });

  it('blanks credential headers and keeps the rest', () => {
    expect(
      redactHeaders({ authorization: 'Bearer abc', cookie: 'sid=1', 'set-cookie': ['a=1'], 'idempotency-key': 'k', 'x-request-id': 'r1', accept: 'application/json' }),
    ).toEqual({ authorization: REDACTED, cookie: REDACTED, 'set-cookie': REDACTED, 'idempotency-key': REDACTED, 'x-request-id': 'r1', accept: 'application/json' });
  });

  it('blanks secrets in free text and query strings', () => {
    expect(redactText('token=abc&x=1')).toBe(`token=${REDACTED}&x=1`);
    expect(redactText('{"password": "hunter2", "n": 1}')).toBe(`{"password": "${REDACTED}", "n": 1}`);
    expect(redactText('authorization: Bearer eyJhbGciOi.xx')).not.toContain('eyJ');
    expect(redactUrl('/api/reset?token=abc&email=ada@example.com&page=2')).toBe(`/api/reset?token=${encodeURIComponent(REDACTED)}&email=a***%40example.com&page=2`);
    expect(redactUrl('/api/users/ada@example.com')).toBe('/api/users/a***@example.com');
  });

  it('cuts very long strings and very large sample values', () => {
    const long = 'x'.repeat(2000);
    expect(String(redactJson(long)).length).toBeLessThan(600);
    const big = redactAt('/payments', Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, amount: '1.00' })));
    expect(typeof big).toBe('string');
    expect(String(big).length).toBeLessThan(2200);
    expect(redactAt('/payment', { id: 'p1' })).toEqual({ id: 'p1' });
  });
});
