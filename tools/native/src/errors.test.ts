import { describe, expect, it } from 'vitest';
import { buildError, loadError, missingBuildTools, pipError } from './errors.ts';

// Excerpts of real failures on this machine (node-gyp 12.4 under node-pre-gyp 1.0.9, pip 23.2, Node 20).
const NO_PYTHON = `gyp ERR! find Python checking if "python3" can be used
gyp ERR! find Python - "" could not be run
gyp ERR! configure error
gyp ERR! stack Error: Could not find any Python installation to use`;
const NO_MAKE = `gyp ERR! build error
gyp ERR! stack Error: not found: make
gyp ERR! stack at getNotFoundError (/x/which/lib/index.js:16:17)`;
const NO_CXX = `make: Entering directory '/x/tfjs-node/build'
make: g++: No such file or directory
make: *** [tfjs_binding.target.mk:111: Release/obj.target/tfjs_binding/binding/tfjs_backend.o] Error 127
gyp ERR! build error
gyp ERR! stack Error: \`make\` failed with exit code: 2`;
const NO_HEADER = `../binding/tfjs_backend.cc:20:10: fatal error: tensorflow/c/eager/c_api.h: No such file or directory
   20 | #include "tensorflow/c/eager/c_api.h"
compilation terminated.
make: *** [tfjs_binding.target.mk:111: Release/obj.target/tfjs_binding/binding/tfjs_backend.o] Error 1`;
const LINK_SYMBOL = "/usr/bin/ld: Release/obj.target/tfjs_binding/binding/tfjs_backend.o: in function `tfnodejs::TFJSBackend::Create(napi_env__*)':\ntfjs_backend.cc:(.text+0x1d2): undefined reference to `TFE_NewContext'";
const LOAD_SYMBOL = 'node: symbol lookup error: /x/tfjs-node/lib/napi-v8/tfjs_binding.node: undefined symbol: TFE_ContextOptionsSetAsync';
const LOAD_CUDA = 'Error: libcudart.so.11.0: cannot open shared object file: No such file or directory\n    at Module._extensions..node (node:internal/modules/cjs/loader:1460:18)';
const LOAD_FRAMEWORK = 'Error: libtensorflow_framework.so.2: cannot open shared object file: No such file or directory';
const PIP_NOT_FOUND = `WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError(...)': /simple/tensorflow/
ERROR: Could not find a version that satisfies the requirement tensorflow==2.21.0 (from versions: none)
ERROR: No matching distribution found for tensorflow==2.21.0`;

const oneLine = (e: Error) => {
  expect(e.message).not.toContain('\n');
  return e.message;
};

describe('buildError', () => {
  it('names the missing tool and how to install it', () => {
    expect(oneLine(buildError(NO_PYTHON, '/log'))).toMatch(/^cannot build the binding: node-gyp found no Python: install python3 .*\(full log: \/log\)$/);
    expect(oneLine(buildError(NO_MAKE, '/log'))).toMatch(/^cannot build the binding: make not found: install g\+\+ and make/);
    expect(oneLine(buildError(NO_CXX, '/log'))).toMatch(/^cannot build the binding: g\+\+ not found/);
  });

  it('names a missing header and a missing symbol', () => {
    expect(oneLine(buildError(NO_HEADER, '/log'))).toMatch(/header tensorflow\/c\/eager\/c_api\.h is missing/);
    expect(oneLine(buildError(LINK_SYMBOL, '/log'))).toMatch(/^symbol mismatch: the binding calls TFE_NewContext/);
  });

  it('falls back to the first error line, never the stack', () => {
    const msg = oneLine(buildError('gyp info ok\nsomething: error: weird thing happened\ngyp ERR! stack Error: x', '/log'));
    expect(msg).toBe('building the binding failed: something: error: weird thing happened (full log: /log)');
  });
});

describe('loadError', () => {
  it('undefined symbol is a symbol mismatch naming the symbol and the library', () => {
    expect(oneLine(loadError(LOAD_SYMBOL, 'TensorFlow 2.21.0 (tensorflow-cpu wheel)', 'cpu'))).toBe(
      'symbol mismatch: the binding needs TFE_ContextOptionsSetAsync, which TensorFlow 2.21.0 (tensorflow-cpu wheel) lacks: use a TensorFlow 2.9+ C library (libtensorflow_cc.so.2 and libtensorflow_framework.so.2 of one release)',
    );
  });

  it('a missing CUDA library says CUDA; a missing TensorFlow part says the library is incomplete', () => {
    expect(oneLine(loadError(LOAD_CUDA, 'lib', 'gpu'))).toMatch(/libcudart\.so\.11\.0 not found \(CUDA\/cuDNN missing/);
    expect(oneLine(loadError(LOAD_FRAMEWORK, 'the TensorFlow library in /x', 'cpu'))).toBe(
      'the binding does not load: libtensorflow_framework.so.2 not found: the TensorFlow library in /x is incomplete',
    );
  });

  it('glibc too old and foreign ELF files are named', () => {
    expect(oneLine(loadError("/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by x)", 'L', 'cpu'))).toMatch(/needs GLIBC_2\.38/);
    expect(oneLine(loadError('Error: x.so: invalid ELF header', 'L', 'cpu'))).toMatch(/L is not a linux-x64 library/);
  });
});

describe('pipError', () => {
  it('no matching distribution is "wheel not found" with the requirement', () => {
    expect(oneLine(pipError(PIP_NOT_FOUND, 'tensorflow==2.21.0'))).toMatch(/^wheel not found: pip has no tensorflow==2\.21\.0 wheel .*LIBTENSORFLOW_DIR/);
  });

  it('a python without pip is "no pip"; anything else quotes pip\'s ERROR line', () => {
    expect(oneLine(pipError('/usr/bin/python3: No module named pip', 'x==1'))).toMatch(/^no pip: /);
    expect(oneLine(pipError('WARNING: a\nERROR: Disk quota exceeded\n', 'x==1'))).toBe('pip download x==1 failed: ERROR: Disk quota exceeded');
  });
});

describe('missingBuildTools', () => {
  it('lists each missing tool, honouring CXX', () => {
    const have = (set: string[]) => (c: string) => set.includes(c);
    expect(missingBuildTools(have(['g++', 'make', 'python3']), {})).toEqual([]);
    expect(missingBuildTools(have(['clang++', 'make', 'python']), {})).toEqual([]);
    expect(missingBuildTools(have([]), {})).toEqual(['a C++ compiler (g++)', 'make', 'python3']);
    expect(missingBuildTools(have(['g++', 'make', 'python3']), { CXX: 'clang++-17 -stdlib=libc++' })).toEqual(['the C++ compiler CXX=clang++-17']);
  });
});
