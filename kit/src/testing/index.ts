export * from './test-databases';
export * from './http-client';
