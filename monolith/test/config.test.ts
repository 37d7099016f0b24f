import { ConfigError } from '@strangler/kit';
import { readMonolithConfig } from '../src/config';

describe('monolith configuration', () => {
  it('defaults to the in-process payments module on SQLite', () => {
    const config = readMonolithConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATABASE_URL: '.data/monolith.sqlite', PAYMENTS_MODE: 'in-process', AUTH_PEERS: [] });
  });

  it('requires PAYMENTS_SERVICE_URL when checkout pays over HTTP', () => {
    expect(() => readMonolithConfig({ PAYMENTS_MODE: 'http' })).toThrow(ConfigError);
    expect(() => readMonolithConfig({ PAYMENTS_MODE: 'http' })).toThrow(/PAYMENTS_SERVICE_URL: is required when PAYMENTS_MODE=http/);
    expect(readMonolithConfig({ PAYMENTS_MODE: 'http', PAYMENTS_SERVICE_URL: 'http://payments:3002' }).PAYMENTS_SERVICE_URL).toBe('http://payments:3002');
  });

  it('rejects unknown modes, bad peer lists and short internal tokens, naming each variable', () => {
    const attempt = () => readMonolithConfig({ PAYMENTS_MODE: 'grpc', AUTH_PEERS: 'ftp://x', INTERNAL_API_TOKEN: 'short' });
    expect(attempt).toThrow(/PAYMENTS_MODE="grpc": must be in-process or http/);
    expect(attempt).toThrow(/AUTH_PEERS="ftp:\/\/x": must be a comma-separated list of http\(s\) URLs/);
    expect(attempt).toThrow(/INTERNAL_API_TOKEN="\[redacted\]": must be at least 32 characters/);
  });
});
