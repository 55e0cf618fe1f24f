import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// These tests drive Nx itself; one Nx process at a time keeps their runs independent.
export default mergeConfig(shared, { test: { fileParallelism: false } });
