import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The Nx tests start real Nx processes; one test file at a time keeps them from fighting over two cores.
export default mergeConfig(shared, { test: { fileParallelism: false } });
