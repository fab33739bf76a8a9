import { LANG_ANALYZERS } from './lang/index.js';
import { OS_ANALYZERS } from './os/index.js';
import type { Analyzer } from './types.js';

/** Every analyzer, listed explicitly: no self-registration. */
export const ANALYZERS: readonly Analyzer[] = [...OS_ANALYZERS, ...LANG_ANALYZERS];
