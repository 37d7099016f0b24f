import { decimalColumnToMinor, formatMinorUnits, parseDecimalAmount } from '../src/money/decimal-money';

describe('decimal money', () => {
  it.each([
    ['19.99', 'USD', 1999n],
    ['0.1', 'USD', 10n],
    ['0.01', 'EUR', 1n],
    ['1000', 'JPY', 1000n],
    ['1.234', 'KWD', 1234n],
    ['999999999999.99', 'USD', 99999999999999n],
    ['007.50', 'USD', 750n],
  ] as const)('parses %s %s exactly', (text, currency, minor) => {
    expect(parseDecimalAmount(text, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ['19.999', 'USD', 'at most 2 decimal places'],
    ['10.5', 'JPY', 'no minor units'],
    ['-1.00', 'USD', 'decimal string'],
    ['1e3', 'USD', 'decimal string'],
    ['1,000.00', 'USD', 'decimal string'],
    [' 1.00', 'USD', 'decimal string'],
    ['.5', 'USD', 'decimal string'],
    ['1.', 'USD', 'decimal string'],
    ['', 'USD', 'decimal string'],
    ['1000000000000', 'USD', 'too large'],
  ] as const)('rejects %j for %s', (text, currency, reason) => {
    const result = parseDecimalAmount(text, currency);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('formats minor units with exactly the currency digits', () => {
    expect(formatMinorUnits(1999n, 'USD')).toBe('19.99');
    expect(formatMinorUnits(5n, 'USD')).toBe('0.05');
    expect(formatMinorUnits(0n, 'EUR')).toBe('0.00');
    expect(formatMinorUnits(1000n, 'JPY')).toBe('1000');
    expect(formatMinorUnits(1n, 'KWD')).toBe('0.001');
    expect(formatMinorUnits(-250n, 'USD')).toBe('-2.50');
  });

  it('reads DECIMAL column values from either driver without float drift', () => {
    expect(decimalColumnToMinor('19.990', 'USD')).toBe(1999n);
    expect(decimalColumnToMinor(19.99, 'USD')).toBe(1999n);
    expect(decimalColumnToMinor(0.1 + 0.2, 'USD')).toBe(30n);
    expect(decimalColumnToMinor('1000.000', 'JPY')).toBe(1000n);
    expect(decimalColumnToMinor(999999999999.99, 'USD')).toBe(99999999999999n);
    expect(() => decimalColumnToMinor('1.005', 'USD')).toThrow(RangeError);
  });

  it('round-trips every cent of a range exactly', () => {
    for (let minor = 0n; minor < 100_000n; minor += 7n) {
      const text = formatMinorUnits(minor, 'USD');
      expect(parseDecimalAmount(text, 'USD')).toEqual({ ok: true, minor });
      expect(decimalColumnToMinor(Number(text), 'USD')).toBe(minor);
    }
  });
});
