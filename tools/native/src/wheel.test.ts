import { describe, expect, it } from 'vitest';
import { findPip, wheelMember } from './wheel.ts';

describe('wheelMember', () => {
  it('keeps the two libraries and the C headers the binding includes, drops the Python', () => {
    expect(wheelMember('tensorflow/libtensorflow_cc.so.2')).toBe('lib/libtensorflow_cc.so.2');
    expect(wheelMember('tensorflow/libtensorflow_framework.so.2')).toBe('lib/libtensorflow_framework.so.2');
    expect(wheelMember('tensorflow/include/tensorflow/c/c_api.h')).toBe('include/tensorflow/c/c_api.h');
    expect(wheelMember('tensorflow/include/tensorflow/c/eager/c_api.h')).toBe('include/tensorflow/c/eager/c_api.h');
    expect(wheelMember('tensorflow/include/tensorflow/core/platform/ctstring_internal.h')).toBe('include/tensorflow/core/platform/ctstring_internal.h');
    expect(wheelMember('tensorflow/include/tsl/platform/ctstring.h')).toBe('include/tsl/platform/ctstring.h');
    expect(wheelMember('tensorflow/include/xla/tsl/c/tsl_status.h')).toBe('include/xla/tsl/c/tsl_status.h');
    for (const skip of [
      'tensorflow/python/_pywrap_tensorflow_internal.so',
      'tensorflow/include/tensorflow/core/framework/tensor.h',
      'tensorflow/include/tensorflow/c/',
      'tensorflow/include/Eigen/Core',
      'tensorflow_cpu-2.21.0.dist-info/RECORD',
      'tensorflow/include/tensorflow/c/../../../etc/passwd',
    ]) {
      expect(wheelMember(skip)).toBeNull();
    }
  });
});

describe('findPip', () => {
  it('FACEMASK_PIP names the command; none that answers is "no pip"', () => {
    expect(() => findPip({ FACEMASK_PIP: 'definitely-not-a-pip-command', PATH: process.env.PATH })).toThrow(/^no pip: /);
    expect(findPip({ FACEMASK_PIP: 'node -e 0 --', PATH: process.env.PATH })).toEqual(['node', '-e', '0', '--']);
  });
});
