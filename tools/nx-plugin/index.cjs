// Nx loads plugins with require(). The plugin itself is TypeScript (src/plugin.ts), imported
// through tsx with the workspace's "source" export condition so that it reads the very stage
// table the stages use. This file only loads it.
const { register } = require('node:module');
const { pathToFileURL } = require('node:url');

let plugin;
function load() {
  plugin ??= (async () => {
    register('./source-condition.mjs', pathToFileURL(__filename));
    (await import('tsx/esm/api')).register();
    return import('./src/plugin.ts');
  })();
  return plugin;
}

exports.createNodesV2 = ['packages/*/project.json', async (files, options, context) => (await load()).createNodes(files, options, context)];
