import { describe, expect, it } from 'vitest';
import { downloadUrl, sourcePlan } from './sources.ts';

const none = { download: false, wheel: false };

describe('sourcePlan', () => {
  it('fresh machine: the package download, then the wheel', () => {
    expect(sourcePlan({ variant: 'cpu', env: {}, cached: none })).toEqual([
      { kind: 'download', url: 'https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz', version: '2.9.1' },
      { kind: 'wheel', project: 'tensorflow-cpu', version: '2.21.0' },
    ]);
    expect(sourcePlan({ variant: 'gpu', env: {}, cached: none }).map((s) => (s.kind === 'wheel' ? s.project : s.kind))).toEqual(['download', 'tensorflow']);
  });

  it('LIBTENSORFLOW_DIR is the only step: a wrong folder is an error, never a download', () => {
    expect(sourcePlan({ variant: 'gpu', env: { LIBTENSORFLOW_DIR: ' /opt/tf ' }, cached: { download: true, wheel: true } })).toEqual([{ kind: 'dir', dir: '/opt/tf' }]);
  });

  it('cached libraries come first (no network on a rerun), in source order, unless refreshing', () => {
    const kinds = (cached: { download: boolean; wheel: boolean }, refresh = false) =>
      sourcePlan({ variant: 'cpu', env: {}, cached, refresh }).map((s) => (s.kind === 'cached' ? `cached-${s.source}` : s.kind));
    expect(kinds({ download: false, wheel: true })).toEqual(['cached-wheel', 'download', 'wheel']);
    expect(kinds({ download: true, wheel: true })).toEqual(['cached-download', 'cached-wheel', 'download', 'wheel']);
    expect(kinds({ download: true, wheel: true }, true)).toEqual(['download', 'wheel']);
  });

  it('FACEMASK_TENSORFLOW_VERSION picks the wheel release', () => {
    const plan = sourcePlan({ variant: 'cpu', env: { FACEMASK_TENSORFLOW_VERSION: '2.20.0' }, cached: { download: false, wheel: true } });
    expect(plan[0]).toEqual({ kind: 'cached', source: 'wheel', version: '2.20.0' });
    expect(plan.at(-1)).toEqual({ kind: 'wheel', project: 'tensorflow-cpu', version: '2.20.0' });
  });
});

describe('downloadUrl', () => {
  it('honours the variables tfjs-node\'s own install script reads', () => {
    expect(downloadUrl('gpu', { TFJS_NODE_CDN_STORAGE: 'https://mirror.example/' })).toBe(
      'https://mirror.example/tensorflow/libtensorflow/libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz',
    );
    expect(downloadUrl('cpu', { TFJS_NODE_BASE_URI: 'http://127.0.0.1:9/tf-', TFJS_NODE_CDN_STORAGE: 'https://ignored/' })).toBe(
      'http://127.0.0.1:9/tf-cpu-linux-x86_64-2.9.1.tar.gz',
    );
  });
});
