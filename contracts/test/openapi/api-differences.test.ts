import { apiDifferences, openApiDocument, type OpenApiDocument } from '@strangler/kit';
import { describePaymentsApi } from '@strangler/payments-api';

/** What a client would notice, and what it would not: each edit below is applied to a copy of the payments document. */
describe('apiDifferences', () => {
  const original = openApiDocument({ title: 'a', version: '1' }, [describePaymentsApi]);
  const edited = (edit: (document: any) => void): OpenApiDocument => {
    const copy = structuredClone(original) as any;
    edit(copy);
    return copy;
  };
  const payment = (document: any) => document.components.schemas.Payment;
  const create = (document: any) => document.paths['/api/payments'].post;

  it.each<[string, (document: any) => void]>([
    ['a field dropped from the payment', (d) => delete payment(d).properties.refundedAmount],
    ['a field no longer required', (d) => payment(d).required.pop()],
    ['a field renamed', (d) => (payment(d).properties.captured = payment(d).properties.capturedAmount, delete payment(d).properties.capturedAmount)],
    ['a new payment status', (d) => payment(d).properties.status.enum.push('disputed')],
    ['a status code dropped', (d) => delete create(d).responses['409']],
    ['a success status changed', (d) => ((create(d).responses['200'] = create(d).responses['201']), delete create(d).responses['201'])],
    ['an operation dropped', (d) => delete d.paths['/api/payments/{id}/void']],
    ['a header made optional', (d) => (create(d).parameters[0].required = false)],
    ['a content type changed', (d) => ((create(d).responses['201'].content['text/plain'] = create(d).responses['201'].content['application/json']), delete create(d).responses['201'].content['application/json'])],
    ['a pattern loosened', (d) => (payment(d).properties.amount.pattern = '.*')],
  ])('notices %s', (_name, edit) => {
    expect(apiDifferences(original, edited(edit), ['/api/payments']).length).toBeGreaterThan(0);
  });

  it.each<[string, (document: any) => void]>([
    ['other summaries and descriptions', (d) => ((create(d).summary = 'Pay'), (create(d).responses['201'].description = 'Done'))],
    ['other tags and title', (d) => ((create(d).tags = ['money']), (d.info.title = 'b'))],
    ['another component name for the same schema', (d) => {
      d.components.schemas.Charge = d.components.schemas.Payment;
      const json = JSON.stringify(d.paths).replace(/#\/components\/schemas\/Payment"/g, '#/components/schemas/Charge"');
      d.paths = JSON.parse(json);
    }],
    ['parameters in another order', (d) => d.paths['/api/payments'].get.parameters.reverse()],
    ['paths outside the prefix', (d) => delete d.paths['/api/payments']],
  ])('ignores %s', (name, edit) => {
    const prefixes = name === 'paths outside the prefix' ? ['/api/payments/{id}'] : ['/api/payments'];
    expect(apiDifferences(original, edited(edit), prefixes)).toEqual([]);
  });

  it('keeps a property called description (a schema, not prose)', () => {
    expect(apiDifferences(original, edited((d) => delete payment(d).properties.description), ['/api/payments'])).toContainEqual(expect.stringContaining('description'));
  });
});
