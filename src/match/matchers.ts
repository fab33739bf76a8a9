import { LANGUAGE_MATCHERS } from './language-matcher.js';
import { apkMatcher, debMatcher, rpmMatcher } from './os-matcher.js';
import type { Matcher } from './types.js';

/** Every matcher, listed explicitly (no self-registration). New ecosystem = one matcher + one line. */
export const MATCHERS: readonly Matcher[] = [debMatcher, rpmMatcher, apkMatcher, ...LANGUAGE_MATCHERS];
