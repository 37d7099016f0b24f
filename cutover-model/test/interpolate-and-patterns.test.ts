import { interpolateEnv, parsePattern, patternShape } from '../src';

describe('interpolateEnv', () => {
  it('resolves ${VAR} and ${VAR:-default}, treating empty as unset', () => {
    expect(interpolateEnv('${A}/${B:-x}', { A: 'a' })).toEqual({ value: 'a/x' });
    expect(interpolateEnv('${A:-d}', { A: '' })).toEqual({ value: 'd' });
    expect(interpolateEnv('${A:-}', {})).toEqual({ value: '' });
    expect(interpolateEnv('${MISSING}', {})).toEqual({ error: '${MISSING} is not set and has no default' });
    expect(interpolateEnv('${X}-${Y}', {})).toEqual({ error: '${X}, ${Y} is not set and has no default' });
  });
});

describe('route patterns', () => {
  it.each([
    ['/api/payments/:id/refunds', '/api/payments/:/refunds'],
    ['/API/Auth/*', '/api/auth/*'],
    ['/', '/'],
    ['/api/x/', '/api/x'],
  ])('%s has the shape %s', (pattern, shape) => {
    const parsed = parsePattern(pattern);
    expect('segments' in parsed && patternShape(parsed.segments)).toBe(shape);
  });

  it.each([
    ['api/x', 'must start with /'],
    ['/api/x?y', 'must be a path without query, fragment or spaces'],
    ['/api//x', 'must not contain empty segments (//)'],
    ['/api/*/x', '* is only allowed as the last segment'],
    ['/api/:1d', '":1d" is not a valid parameter (:name)'],
    ['/api/a:b', '"a:b": : and * must be whole segments'],
    ['/api/../x', 'must not contain . or .. segments'],
  ])('%s is refused: %s', (pattern, error) => {
    expect(parsePattern(pattern)).toEqual({ error });
  });
});
