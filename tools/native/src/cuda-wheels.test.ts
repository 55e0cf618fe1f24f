import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryDir } from './cache.ts';
import { cudaMember, cudaRequirements, exportLine, wheelMetadata } from './cuda-wheels.ts';
import { resolveLibrary } from './install.ts';
import { zip } from './testing/zip.ts';

// The Requires-Dist lines of TensorFlow 2.21.0's METADATA (read from the tensorflow_cpu 2.21.0
// wheel, whose setup.py declares the same and-cuda extra as the tensorflow wheel's), abridged.
const TF_2_21_METADATA = `Metadata-Version: 2.4
Name: tensorflow
Version: 2.21.0
Requires-Python: >=3.10
Requires-Dist: absl-py>=1.0.0
Requires-Dist: protobuf<8.0.0,>=6.31.1
Requires-Dist: numpy>=1.26.0
Requires-Dist: ml_dtypes<1.0.0,>=0.5.1
Provides-Extra: and-cuda
Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"
Requires-Dist: nvidia-cuda-cupti-cu12<13.0,>=12.5.82; extra == "and-cuda"
Requires-Dist: nvidia-cuda-nvcc-cu12<13.0,>=12.5.82; extra == "and-cuda"
Requires-Dist: nvidia-cuda-nvrtc-cu12<13.0,>=12.5.82; extra == "and-cuda"
Requires-Dist: nvidia-cuda-runtime-cu12<13.0,>=12.5.82; extra == "and-cuda"
Requires-Dist: nvidia-cudnn-cu12<10.0,>=9.3.0.75; extra == "and-cuda"
Requires-Dist: nvidia-cufft-cu12<12.0,>=11.2.3.61; extra == "and-cuda"
Requires-Dist: nvidia-curand-cu12<11.0,>=10.3.6.82; extra == "and-cuda"
Requires-Dist: nvidia-cusolver-cu12<12.0,>=11.6.3.83; extra == "and-cuda"
Requires-Dist: nvidia-cusparse-cu12<13.0,>=12.5.1.3; extra == "and-cuda"
Requires-Dist: nvidia-nccl-cu12<3.0,>=2.27.7; extra == "and-cuda"
Requires-Dist: nvidia-nvjitlink-cu12<13.0,>=12.5.82; extra == "and-cuda"
Provides-Extra: gcs-filesystem
Requires-Dist: tensorflow-io-gcs-filesystem>=0.23.1; (sys_platform != "win32" and python_version < "3.13") and extra == "gcs-filesystem"

TensorFlow is an open source software library for high performance numerical computation.
Requires-Dist: nvidia-fake-in-the-description; extra == "and-cuda"
`;

describe('cudaRequirements', () => {
  it("reads the nvidia-* wheels TensorFlow 2.21's and-cuda extra names, as named, and nothing else", () => {
    const reqs = cudaRequirements(TF_2_21_METADATA);
    expect(reqs.map((r) => r.requirement)).toEqual([
      'nvidia-cublas-cu12<13.0,>=12.5.3.2',
      'nvidia-cuda-cupti-cu12<13.0,>=12.5.82',
      'nvidia-cuda-nvcc-cu12<13.0,>=12.5.82',
      'nvidia-cuda-nvrtc-cu12<13.0,>=12.5.82',
      'nvidia-cuda-runtime-cu12<13.0,>=12.5.82',
      'nvidia-cudnn-cu12<10.0,>=9.3.0.75',
      'nvidia-cufft-cu12<12.0,>=11.2.3.61',
      'nvidia-curand-cu12<11.0,>=10.3.6.82',
      'nvidia-cusolver-cu12<12.0,>=11.6.3.83',
      'nvidia-cusparse-cu12<13.0,>=12.5.1.3',
      'nvidia-nccl-cu12<3.0,>=2.27.7',
      'nvidia-nvjitlink-cu12<13.0,>=12.5.82',
    ]);
    expect(reqs[5]!.project).toBe('nvidia-cudnn-cu12');
  });

  it('takes pins, old-style parentheses, other quotes and spellings of the extra; skips other extras and non-nvidia names', () => {
    const text = [
      "Requires-Dist: nvidia_cudnn_cu12 (==9.3.0.75) ; extra == 'and_cuda'",
      'Requires-Dist: nvidia-cublas-cu12==12.5.3.2; platform_system == "Linux" and extra == "and-cuda"',
      'Requires-Dist: tensorrt==10.0; extra == "and-cuda"',
      'Requires-Dist: nvidia-cudnn-cu12==9.3.0.75; extra == "and-cuda-extra"',
      'Requires-Dist: nvidia-cudnn-cu11==8.6; extra == "gpu"',
    ].join('\n');
    expect(cudaRequirements(text)).toEqual([
      { project: 'nvidia-cudnn-cu12', requirement: 'nvidia-cudnn-cu12==9.3.0.75' },
      { project: 'nvidia-cublas-cu12', requirement: 'nvidia-cublas-cu12==12.5.3.2' },
    ]);
  });
});

describe('cudaMember', () => {
  it('keeps nvidia/<pkg>/lib/*.so*, drops headers, Python, binaries and escapes', () => {
    expect(cudaMember('nvidia/cudnn/lib/libcudnn.so.9')).toBe('cuda/cudnn/lib/libcudnn.so.9');
    expect(cudaMember('nvidia/cuda_nvrtc/lib/libnvrtc-builtins.so.12.5')).toBe('cuda/cuda_nvrtc/lib/libnvrtc-builtins.so.12.5');
    expect(cudaMember('nvidia/nccl/lib/libnccl.so.2')).toBe('cuda/nccl/lib/libnccl.so.2');
    for (const skip of ['nvidia/cudnn/include/cudnn.h', 'nvidia/__init__.py', 'nvidia/cudnn/lib/__init__.py', 'nvidia/cuda_nvcc/bin/ptxas', 'nvidia/../lib/libx.so', 'nvidia/cudnn/lib/sub/libx.so', 'nvidia_cudnn_cu12-9.3.0.75.dist-info/RECORD']) {
      expect(cudaMember(skip)).toBeNull();
    }
  });
});

describe('exportLine', () => {
  it('puts the folders before whatever LD_LIBRARY_PATH already holds', () => {
    expect(exportLine(['/c/cuda/cublas/lib', '/c/cuda/cudnn/lib'])).toBe('export LD_LIBRARY_PATH="/c/cuda/cublas/lib:/c/cuda/cudnn/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"');
  });
});

// The gpu wheel route end to end with fake wheels: pip is a script that copies them from a folder
// and records how it was called; the package's download is unreachable.
let dir: string;
let wheels: string;
let pipLog: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'native-cuda-'));
  wheels = join(dir, 'wheels');
  mkdirSync(wheels);
  pipLog = join(dir, 'pip.log');
  const metadata = [
    'Metadata-Version: 2.4',
    'Name: tensorflow',
    'Version: 2.21.0',
    'Requires-Dist: numpy>=1.26.0',
    'Provides-Extra: and-cuda',
    'Requires-Dist: nvidia-cublas-cu12<13.0,>=12.5.3.2; extra == "and-cuda"',
    'Requires-Dist: nvidia-cudnn-cu12<10.0,>=9.3.0.75; extra == "and-cuda"',
    '',
  ].join('\n');
  writeFileSync(
    join(wheels, 'tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl'),
    zip({
      'tensorflow/libtensorflow_cc.so.2': 'main',
      'tensorflow/libtensorflow_framework.so.2': 'framework',
      'tensorflow/include/tensorflow/c/c_api.h': '// c api',
      'tensorflow/python/big.py': 'python',
      'tensorflow-2.21.0.dist-info/METADATA': metadata,
    }),
  );
  writeFileSync(
    join(wheels, 'nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl'),
    zip({
      'nvidia/__init__.py': '',
      'nvidia/cudnn/include/cudnn.h': '// header',
      'nvidia/cudnn/lib/libcudnn.so.9': 'cudnn',
      'nvidia/cudnn/lib/libcudnn_ops.so.9': 'cudnn ops',
      'nvidia_cudnn_cu12-9.3.0.75.dist-info/METADATA': 'Name: nvidia-cudnn-cu12\n',
    }),
  );
  writeFileSync(
    join(wheels, 'nvidia_cublas_cu12-12.5.3.2-py3-none-manylinux2014_x86_64.whl'),
    zip({ 'nvidia/cublas/lib/libcublas.so.12': 'cublas', 'nvidia/cublas/lib/libcublasLt.so.12': 'cublasLt', 'nvidia_cublas_cu12-12.5.3.2.dist-info/METADATA': 'Name: nvidia-cublas-cu12\n' }),
  );
  writeFileSync(
    join(dir, 'fake-pip.cjs'),
    `const fs = require('fs'), path = require('path');
const args = process.argv.slice(2);
if (args[0] === '--version') { console.log('pip 0 (fake)'); process.exit(0); }
fs.appendFileSync(process.env.FAKE_PIP_LOG, JSON.stringify(args) + '\\n');
const req = args[args.indexOf('--disable-pip-version-check') + 1];
const out = args[args.indexOf('-d') + 1];
const name = req.split(/[<>=!~ ]/)[0].replace(/-/g, '_') + '-';
const file = fs.readdirSync(process.env.FAKE_WHEELS).find((f) => f.startsWith(name));
if (!file) { console.error('ERROR: No matching distribution found for ' + req); process.exit(1); }
fs.copyFileSync(path.join(process.env.FAKE_WHEELS, file), path.join(out, file));
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fakePipEnv = () => ({ PATH: process.env.PATH, FACEMASK_PIP: `${process.execPath} ${join(dir, 'fake-pip.cjs')}`, FAKE_PIP_LOG: pipLog, FAKE_WHEELS: wheels, TFJS_NODE_BASE_URI: 'http://127.0.0.1:1/unreachable-' });

describe('the gpu wheel route with its CUDA wheels', () => {
  it('reads METADATA from a wheel', async () => {
    expect(await wheelMetadata(join(wheels, 'nvidia_cublas_cu12-12.5.3.2-py3-none-manylinux2014_x86_64.whl'))).toBe('Name: nvidia-cublas-cu12\n');
  });

  it('fetches each nvidia wheel as named, keeps only their libraries, records them, says what to export; a rerun reads them from the cache', async () => {
    const root = join(dir, 'cache');
    const lines: string[] = [];
    const lib = await resolveLibrary({ variant: 'gpu', env: fakePipEnv(), refresh: false, root, log: (l) => lines.push(l), probeTimeoutMs: 1000 });
    const folder = libraryDir(root, 'gpu', 'wheel', '2.21.0');
    expect(lib.main).toBe(join(folder, 'lib', 'libtensorflow_cc.so.2'));
    expect(lib.cudaLibDirs).toEqual([join(folder, 'cuda', 'cublas', 'lib'), join(folder, 'cuda', 'cudnn', 'lib')]);
    expect(readFileSync(join(folder, 'cuda', 'cudnn', 'lib', 'libcudnn.so.9'), 'utf8')).toBe('cudnn');
    expect(readdirSync(join(folder, 'cuda', 'cudnn'))).toEqual(['lib']);
    expect(readdirSync(join(folder, 'cuda')).sort()).toEqual(['cublas', 'cudnn']);

    const calls = readFileSync(pipLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(calls.map((c) => c.slice(0, 5))).toEqual([
      ['download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', 'tensorflow==2.21.0'],
      ['download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', 'nvidia-cublas-cu12<13.0,>=12.5.3.2'],
      ['download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', 'nvidia-cudnn-cu12<10.0,>=9.3.0.75'],
    ]);
    expect(readdirSync(join(root, 'downloads'))).toEqual([]);

    const manifest = JSON.parse(readFileSync(join(folder, 'library.json'), 'utf8')) as { cuda: unknown };
    expect(manifest.cuda).toEqual([
      { requirement: 'nvidia-cublas-cu12<13.0,>=12.5.3.2', wheel: 'nvidia_cublas_cu12-12.5.3.2-py3-none-manylinux2014_x86_64.whl', libDirs: ['cuda/cublas/lib'] },
      { requirement: 'nvidia-cudnn-cu12<10.0,>=9.3.0.75', wheel: 'nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl', libDirs: ['cuda/cudnn/lib'] },
    ]);
    expect(lines).toContain(`cuda: the loader must find these before a process starts: ${exportLine(lib.cudaLibDirs!)}`);

    rmSync(pipLog);
    const again = await resolveLibrary({ variant: 'gpu', env: fakePipEnv(), refresh: false, root, log: () => {}, probeTimeoutMs: 1000 });
    expect(again.cudaLibDirs).toEqual(lib.cudaLibDirs);
    expect(existsSync(pipLog)).toBe(false);
  });

  it('a CUDA wheel pip cannot find fails in one line and leaves no library folder', async () => {
    rmSync(join(wheels, 'nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl'));
    const root = join(dir, 'cache-missing');
    await expect(resolveLibrary({ variant: 'gpu', env: fakePipEnv(), refresh: false, root, log: () => {}, probeTimeoutMs: 1000 })).rejects.toThrow(
      /^wheel not found: pip has no nvidia-cudnn-cu12<10\.0,>=9\.3\.0\.75 wheel for this Python and platform: /,
    );
    expect(existsSync(libraryDir(root, 'gpu', 'wheel', '2.21.0'))).toBe(false);
    // The TensorFlow wheel stays for the next run; the CUDA wheels' folders are gone.
    expect(readdirSync(join(root, 'downloads'))).toEqual(['tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl']);
  });
});
