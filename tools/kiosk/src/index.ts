export * from './bundle.ts';
export * from './server.ts';
