/**
 * Test support every workspace's tests share: fresh databases, the test app runner, an HTTP client,
 * deployables as processes and the contracts every deployable's runtime and process owe, probes of
 * the optional servers (PostgreSQL, Redis) and unique test data. Loaded by tests only (the contracts
 * use Jest's globals).
 */
export * from './test-databases';
export * from './http-client';
export * from './test-app';
export * from './deployable-process';
export * from './process-contract';
export * from './runtime-contract';
export * from './postgres';
export * from './redis';
export * from './test-data';
