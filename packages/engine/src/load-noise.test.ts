import { describe, expect, it } from 'vitest';
import { dropLoadNoise } from './load-noise.ts';

// What TensorFlow 2.21's C library printed while tfjs-node loaded on this machine.
const PREAMBLE = 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR';
const ONEDNN =
  'I0000 00:00:1796425346.278031    9015 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.';
const CPU = 'I0000 00:00:1796426565.577871   13021 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.';
const CPU_LIST =
  'To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 AVX512_FP16 AVX_VNNI AMX_TILE AMX_INT8 AMX_BF16 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.';
// Same file as the oneDNN line, a real warning (TF_ENABLE_ONEDNN_OPTS=maybe).
const BAD_ONEDNN_VALUE =
  "W0000 00:00:1796426495.250985   10471 port.cc:148] TF_ENABLE_ONEDNN_OPTS is not set to either '0', 'false', '1', or 'true'. Using the default setting: true";

describe('dropLoadNoise', () => {
  it('drops the absl preamble, the oneDNN line and both cpu_feature_guard lines', () => {
    expect(dropLoadNoise([PREAMBLE, ONEDNN, CPU, CPU_LIST, ''].join('\n'))).toBe('');
  });

  it('keeps every other line, in order: a warning from the same file, a CUDA line, a load error', () => {
    const cuda = 'E0000 00:00:1796426495.3   10471 cuda_executor.cc:1228] INTERNAL: CUDA Runtime error: Failed call to cudaGetRuntimeVersion: Error loading CUDA libraries.';
    const text = [PREAMBLE, BAD_ONEDNN_VALUE, ONEDNN, cuda, CPU, CPU_LIST, 'Error: libcudnn.so.9: cannot open shared object file', ''].join('\n');
    expect(dropLoadNoise(text)).toBe([BAD_ONEDNN_VALUE, cuda, 'Error: libcudnn.so.9: cannot open shared object file', ''].join('\n'));
  });

  it('matches whole messages: the same text at another severity, or the instruction list on its own, passes', () => {
    const warned = ONEDNN.replace(/^I/, 'W');
    expect(dropLoadNoise(warned)).toBe(warned);
    expect(dropLoadNoise(CPU_LIST)).toBe(CPU_LIST);
    expect(dropLoadNoise(`${ONEDNN} and more`)).toBe(`${ONEDNN} and more`);
    // After absl::InitializeLog the prefix carries a real date and time.
    expect(dropLoadNoise(CPU.replace('I0000 00:00:1796426565.577871', 'I1204 23:22:01.123456'))).toBe('');
  });
});
