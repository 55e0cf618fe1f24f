// Module resolve hook: resolve workspace packages to their TypeScript source ("source" export
// condition), as `node --conditions=source` does, for code loaded inside Nx's plugin worker.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...new Set([...context.conditions, 'source'])] });
}
