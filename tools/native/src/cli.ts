import { Command } from 'commander';
import { NativeInstallError } from './errors.ts';
import { install, summary } from './install.ts';
import { parseVariant } from './variant.ts';

const program = new Command('native:install')
  .description("Makes tfjs-node (cpu) or tfjs-node-gpu (gpu) loadable: TensorFlow's C library from LIBTENSORFLOW_DIR, the package's download or TensorFlow's wheel, then the binding built against it.")
  .argument('[variant]', 'cpu or gpu', 'cpu')
  .option('--refresh', 'fetch the library again and rebuild the binding, ignoring the cache')
  .action(async (variant: string, o: { refresh?: boolean }) => {
    const result = await install({ variant: parseVariant(variant), refresh: o.refresh === true });
    for (const line of summary(result)) console.log(line);
  });

program.parseAsync().catch((err: unknown) => {
  if (err instanceof NativeInstallError) {
    console.error(`native:install: ${err.message}`);
  } else {
    console.error(`native:install failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  process.exit(1);
});
