export * from './test-databases';
export * from './http-client';
export * from './test-app';
export * from './deployable-process';
