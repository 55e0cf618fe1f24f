import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { buildDirAtomic, readJson, sha256 } from './cache-files.ts';
import { buildBinding } from './build.ts';
import {
  BINDING_FILE,
  BINDING_MANIFEST,
  LIBRARY_MANIFEST,
  bindingDir,
  bindingKey,
  bindingManifest,
  cacheRoot,
  libraryDir,
  libraryManifest,
  type BindingKeyInput,
  type CachedSource,
} from './cache.ts';
import { downloadTarball, probe } from './download.ts';
import { NativeInstallError, firstLine } from './errors.ts';
import { findLibrary, identify, type Library } from './library.ts';
import { applyLinks, linkPlan, staleLinks } from './links.ts';
import { resolvePackage, type TfjsNodePackage } from './package.ts';
import { sourcePlan, type SourceStep } from './sources.ts';
import { installStderrMute, stderrMuteStatus, type StderrMuteResult } from './stderr-mute.ts';
import { verifyLoads, type LoadedEngine } from './verify.ts';
import { checkPlatform, type Variant } from './variant.ts';
import { cudaLibDirs, exportLine, fetchCudaWheels, type CudaWheel } from './cuda-wheels.ts';
import { extractWheel, findPip, pipDownload } from './wheel.ts';

export interface InstallOptions {
  variant: Variant;
  env?: Record<string, string | undefined>;
  /** Fetch the library again and rebuild the binding, ignoring the cache. */
  refresh?: boolean;
  log?: (line: string) => void;
  /** How long the package's download host gets to answer before the wheel is tried. */
  probeTimeoutMs?: number;
}

export interface InstallResult {
  package: TfjsNodePackage;
  library: Library;
  engine: LoadedEngine;
  /** Nothing had to change: links and binding were already in place. */
  alreadyInstalled: boolean;
  /** 'built' from source now, 'cached' copied from an earlier build, or 'in place'. */
  binding: 'built' | 'cached' | 'in place';
  bindingCache: string;
  /** The engine's stderr-mute addon beside the binding (it drops TensorFlow's start-up lines). */
  stderrMute: StderrMuteResult;
  seconds: number;
}

/** A source that cannot serve right now; the next one in the plan is tried. */
class Unavailable extends Error {}

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

function label(step: SourceStep, variant: Variant): string {
  switch (step.kind) {
    case 'dir':
      return `the TensorFlow library in ${step.dir}`;
    case 'cached':
    case 'download':
    case 'wheel': {
      const source = step.kind === 'cached' ? step.source : step.kind;
      return source === 'download' ? `libtensorflow ${variant} ${step.version} (tfjs-node's download)` : `TensorFlow ${step.version} (${variant === 'cpu' ? 'tensorflow-cpu' : 'tensorflow'} wheel)`;
    }
    default: {
      const never: never = step;
      throw new Error(`unknown source ${JSON.stringify(never)}`);
    }
  }
}

async function obtain(step: SourceStep, ctx: { variant: Variant; root: string; env: Record<string, string | undefined>; log: (l: string) => void; probeTimeoutMs: number }): Promise<Library> {
  const { variant, root, env, log } = ctx;
  const name = label(step, variant);
  const finish = async (tmp: string, source: CachedSource, version: string, origin: string, cuda?: CudaWheel[]) => {
    const lib = findLibrary(tmp, source, name);
    const manifest = libraryManifest.parse({
      source,
      variant,
      tensorflowVersion: version,
      origin,
      main: basename(lib.main),
      framework: basename(lib.framework),
      cuda,
      createdAt: new Date().toISOString(),
    });
    await writeFile(join(tmp, LIBRARY_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  };
  switch (step.kind) {
    case 'dir':
      return findLibrary(step.dir, 'dir', name);
    case 'cached': {
      const dir = libraryDir(root, variant, step.source, step.version);
      const manifest = libraryManifest.safeParse(readJson(join(dir, LIBRARY_MANIFEST)));
      if (!manifest.success) throw new Unavailable(`${dir}/${LIBRARY_MANIFEST} is unreadable`);
      const cuda = manifest.data.cuda;
      // The gpu wheel's library without its CUDA wheels (cached before they were fetched) is fetched again.
      if (variant === 'gpu' && step.source === 'wheel' && !cuda) throw new Unavailable(`the cached library in ${dir} has no CUDA wheels`);
      const cudaDirs = cuda ? cudaLibDirs(dir, cuda) : undefined;
      const lost = cudaDirs?.find((d) => !existsSync(d));
      if (lost) throw new Unavailable(`the cached library's CUDA folder ${lost} is missing`);
      try {
        return { ...findLibrary(dir, step.source, name), tensorflowVersion: manifest.data.tensorflowVersion, cudaLibDirs: cudaDirs };
      } catch (err) {
        throw new Unavailable(`the cached library is incomplete (${(err as Error).message})`);
      }
    }
    case 'download': {
      const why = await probe(step.url, ctx.probeTimeoutMs);
      if (why) throw new Unavailable(`tfjs-node's download ${step.url} is unreachable (${why})`);
      const dir = libraryDir(root, variant, 'download', step.version);
      const t0 = performance.now();
      log(`library: downloading ${step.url} ...`);
      try {
        await buildDirAtomic(dir, async (tmp) => {
          await downloadTarball(step.url, tmp);
          await finish(tmp, 'download', step.version, step.url);
        });
      } catch (err) {
        throw new Unavailable(`downloading ${step.url} failed (${firstLine((err as Error).message)})`);
      }
      log(`library: unpacked into ${dir} in ${seconds(t0)} s`);
      return { ...findLibrary(dir, 'download', name), tensorflowVersion: step.version };
    }
    case 'wheel': {
      const pip = findPip(env);
      const dir = libraryDir(root, variant, 'wheel', step.version);
      const requirement = `${step.project}==${step.version}`;
      const downloads = join(root, 'downloads');
      await mkdir(downloads, { recursive: true });
      let t0 = performance.now();
      log(`library: ${pip.join(' ')} download ${requirement} ...`);
      const wheel = await pipDownload(pip, step.project, step.version, downloads, env);
      log(`library: ${basename(wheel)} in ${seconds(t0)} s; extracting the libraries and C headers ...`);
      t0 = performance.now();
      let bytes = 0;
      let cuda: CudaWheel[] | undefined;
      await buildDirAtomic(dir, async (tmp) => {
        bytes = await extractWheel(wheel, tmp);
        // The GPU wheel's library dlopens CUDA from the loader's path: fetch the wheels its and-cuda extra names.
        if (variant === 'gpu') cuda = await fetchCudaWheels({ tensorflowWheel: wheel, dir: tmp, downloads, pip, env, log });
        await finish(tmp, 'wheel', step.version, basename(wheel), cuda);
      });
      // The other 1.2 GB of the wheel is Python: keep only what was extracted. (After a failure
      // it stays, and pip finds it in downloads/ on the next run.)
      await rm(wheel, { force: true });
      log(`library: ${(bytes / 1e6).toFixed(0)} MB into ${dir} in ${seconds(t0)} s`);
      const cudaDirs = cuda ? cudaLibDirs(dir, cuda) : undefined;
      if (cudaDirs) log(`cuda: the loader must find these before a process starts: ${exportLine(cudaDirs)}`);
      return { ...findLibrary(dir, 'wheel', name), tensorflowVersion: step.version, cudaLibDirs: cudaDirs };
    }
    default: {
      const never: never = step;
      throw new Error(`unknown source ${JSON.stringify(never)}`);
    }
  }
}

/** Where the library comes from: the first step of the source plan that can serve. */
export async function resolveLibrary(opts: Required<Pick<InstallOptions, 'variant' | 'env' | 'refresh' | 'log' | 'probeTimeoutMs'>> & { root: string }): Promise<Library> {
  const { variant, env, refresh, root, log, probeTimeoutMs } = opts;
  const hasManifest = (source: CachedSource, version: string) => existsSync(join(libraryDir(root, variant, source, version), LIBRARY_MANIFEST));
  const plan = sourcePlan({ variant, env, refresh, cached: { download: false, wheel: false } });
  const cached = {
    download: plan.some((s) => s.kind === 'download' && hasManifest('download', s.version)),
    wheel: plan.some((s) => s.kind === 'wheel' && hasManifest('wheel', s.version)),
  };
  for (const step of sourcePlan({ variant, env, refresh, cached })) {
    try {
      return await obtain(step, { variant, root, env, log, probeTimeoutMs });
    } catch (err) {
      if (!(err instanceof Unavailable)) throw err;
      log(`library: ${err.message}; trying the next source`);
    }
  }
  // The wheel step is always last and never Unavailable: it throws its own error.
  throw new NativeInstallError('no TensorFlow library could be found');
}

/** Makes `@tensorflow/tfjs-node` (cpu) or `-gpu` loadable; see the package README. */
export async function install(opts: InstallOptions): Promise<InstallResult> {
  const t0 = performance.now();
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((l: string) => console.log(l));
  const refresh = opts.refresh ?? false;
  checkPlatform();
  const pkg = resolvePackage(opts.variant);
  const root = cacheRoot(env);
  log(`native:install ${opts.variant}: ${pkg.name} ${pkg.version} in ${pkg.dir}`);
  const library = await resolveLibrary({ variant: opts.variant, env, refresh, root, log, probeTimeoutMs: opts.probeTimeoutMs ?? 3000 });
  log(`library: ${library.label}: ${library.main}`);

  const links = linkPlan(pkg.dir, library);
  const keyInput: BindingKeyInput = {
    package: `${pkg.name}@${pkg.version}`,
    napiBuildVersion: pkg.napiBuildVersion,
    nodeAbi: process.versions.modules,
    platform: process.platform,
    arch: process.arch,
    library: { main: identify(library.main), framework: identify(library.framework) },
  };
  const key = bindingKey(keyInput);
  const cacheDir = bindingDir(root, key);
  const cachedBinding = join(cacheDir, BINDING_FILE);
  const manifest = refresh ? undefined : bindingManifest.safeParse(readJson(join(cacheDir, BINDING_MANIFEST))).data;
  const cacheOk = manifest !== undefined && manifest.key === key && existsSync(cachedBinding) && sha256(cachedBinding) === manifest.sha256;
  const inPlace = cacheOk && existsSync(pkg.bindingPath) && sha256(pkg.bindingPath) === manifest.sha256;
  const muteInPlace = stderrMuteStatus(root, dirname(pkg.bindingPath), refresh).inPlace;
  const alreadyInstalled = inPlace && staleLinks(links).length === 0 && muteInPlace;

  let binding: InstallResult['binding'] = 'in place';
  if (!alreadyInstalled) {
    const changed = await applyLinks(links);
    if (changed) log(`links: ${changed} symlink(s) in ${join(pkg.dir, 'deps')} now point at the library`);
    if (cacheOk && !inPlace) {
      await mkdir(dirname(pkg.bindingPath), { recursive: true });
      await copyFile(cachedBinding, pkg.bindingPath);
      binding = 'cached';
      log(`binding: copied the one built ${manifest.createdAt.slice(0, 10)} from ${cachedBinding}`);
    } else if (!cacheOk) {
      const buildLog = join(root, 'logs', `${opts.variant}-build.log`);
      const tb = performance.now();
      log(`binding: building from source with node-pre-gyp (about a minute; log: ${buildLog}) ...`);
      await buildBinding(pkg, buildLog, env);
      const buildSeconds = (performance.now() - tb) / 1000;
      await buildDirAtomic(cacheDir, async (tmp) => {
        await copyFile(pkg.bindingPath, join(tmp, BINDING_FILE));
        const m = bindingManifest.parse({ key, input: keyInput, sha256: sha256(pkg.bindingPath), buildSeconds, createdAt: new Date().toISOString() });
        await writeFile(join(tmp, BINDING_MANIFEST), `${JSON.stringify(m, null, 2)}\n`);
      });
      binding = 'built';
      log(`binding: built in ${buildSeconds.toFixed(1)} s, cached in ${cacheDir}`);
    }
  }

  const stderrMute = await installStderrMute({ root, bindingDir: dirname(pkg.bindingPath), refresh, env, log });
  // The child gets the CUDA folders on its loader path, as the user's processes will after the export line.
  const verifyEnv = library.cudaLibDirs?.length ? { ...env, LD_LIBRARY_PATH: [...library.cudaLibDirs, ...(env.LD_LIBRARY_PATH ? [env.LD_LIBRARY_PATH] : [])].join(':') } : env;
  const engine = verifyLoads(pkg.dir, library.label, opts.variant, verifyEnv, stderrMute.path);
  return { package: pkg, library, engine, alreadyInstalled, binding, bindingCache: cachedBinding, stderrMute, seconds: (performance.now() - t0) / 1000 };
}

/** The closing lines: what is installed, from where, and how to check or undo it. */
export function summary(r: InstallResult): string[] {
  const device = r.engine.gpu ? 'GPU' : 'CPU';
  return [
    r.alreadyInstalled
      ? `already installed: ${r.package.name} ${r.engine.tfjsNode} on TensorFlow ${r.engine.tensorflow} (${device}), nothing to do`
      : `installed: ${r.package.name} ${r.engine.tfjsNode} on TensorFlow ${r.engine.tensorflow} (${device}), binding ${r.binding}`,
    `library: ${r.library.label}: ${dirname(r.library.main)}`,
    `binding: ${r.package.bindingPath} (copy of ${r.bindingCache})`,
    `stderr mute: ${r.stderrMute.path} (${r.stderrMute.state}; FACEMASK_ENGINE_LOG=1 shows TensorFlow's start-up lines it drops)`,
    `checked: a child process loaded it and ran an op; done in ${r.seconds.toFixed(1)} s. The pipeline now prints "backend: ${r.package.name.endsWith('-gpu') ? 'tensorflow-gpu' : 'tensorflow'} (...)"; TFJS_BACKEND=wasm still picks wasm.`,
    ...(r.library.cudaLibDirs?.length
      ? [`cuda: TensorFlow finds CUDA on the loader's path, read when a process starts; in each shell that runs the pipeline: ${exportLine(r.library.cudaLibDirs)}`]
      : []),
  ];
}


