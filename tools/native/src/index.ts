export * from './cache.ts';
export * from './errors.ts';
export * from './install.ts';
export * from './library.ts';
export * from './links.ts';
export * from './sources.ts';
export * from './variant.ts';
