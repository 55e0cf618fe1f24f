export * from './run.ts';
export * from './nx.ts';
export * from './workspace.ts';
