import { NativeInstallError } from './errors.ts';

/** `cpu` builds @tensorflow/tfjs-node, `gpu` builds @tensorflow/tfjs-node-gpu: one binding, two packages. */
export const VARIANTS = ['cpu', 'gpu'] as const;
export type Variant = (typeof VARIANTS)[number];

export const TFJS_NODE_VERSION = '4.22.0';
/** The libtensorflow the tfjs-node 4.22 package downloads itself; its install script looks for this file name. */
export const PACKAGE_LIBTENSORFLOW_VERSION = '2.9.1';
/** The TensorFlow wheel whose C library the binding is built against when the package's download is unreachable. */
export const DEFAULT_TENSORFLOW_VERSION = '2.21.0';

export function packageName(variant: Variant): string {
  switch (variant) {
    case 'cpu':
      return '@tensorflow/tfjs-node';
    case 'gpu':
      return '@tensorflow/tfjs-node-gpu';
    default: {
      const never: never = variant;
      throw new Error(`unknown variant ${String(never)}`);
    }
  }
}

/** The pip project whose wheel carries libtensorflow_cc.so.2 for this variant. */
export function wheelProject(variant: Variant): string {
  switch (variant) {
    case 'cpu':
      return 'tensorflow-cpu';
    case 'gpu':
      return 'tensorflow';
    default: {
      const never: never = variant;
      throw new Error(`unknown variant ${String(never)}`);
    }
  }
}

export function parseVariant(value: string | undefined): Variant {
  const v = (value ?? 'cpu').trim().toLowerCase();
  if ((VARIANTS as readonly string[]).includes(v)) return v as Variant;
  throw new NativeInstallError(`unknown variant "${value}": use \`pnpm native:install cpu\` or \`pnpm native:install gpu\``);
}

/**
 * Only linux-x64 has every route (the package's download, TensorFlow's wheel) and was tried here;
 * elsewhere the pipeline keeps running on wasm.
 */
export function checkPlatform(platform: string = process.platform, arch: string = process.arch): void {
  if (platform !== 'linux' || arch !== 'x64') {
    throw new NativeInstallError(
      `unsupported platform ${platform}-${arch}: native:install builds the TensorFlow binding on linux-x64 only; the pipeline runs on wasm here`,
    );
  }
}
