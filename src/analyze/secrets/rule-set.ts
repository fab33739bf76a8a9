import { BUILTIN_RULES } from './rules/index.js';
import type { SecretAllowRule, SecretConfig } from './config.js';
import { KeywordIndex } from './keyword-index.js';
import type { SecretRule } from './rule.js';

/** A rule ready to run: a private copy of its regex with match indices ("d"). */
export interface CompiledRule {
  readonly rule: SecretRule;
  readonly regex: RegExp;
  /** Indices into the rule set's keyword list; empty = always run. */
  readonly keywords: readonly number[];
}

/** The rules of one configuration, compiled once and shared by every file of a scan. */
export interface SecretRuleSet {
  readonly rules: readonly CompiledRule[];
  readonly index: KeywordIndex;
  readonly allowRules: readonly SecretAllowRule[];
}

/** User rules first (they win where findings overlap), then the enabled built-in rules. */
export function createRuleSet(config: SecretConfig): SecretRuleSet {
  const disabled = new Set(config.disableRules);
  const categories = new Set<string>(config.disableCategories);
  const selected = [...config.rules, ...(config.builtinRules ? BUILTIN_RULES : [])].filter(
    (r) => !disabled.has(r.id) && !categories.has(r.category),
  );
  const keywords: string[] = [];
  const keywordId = new Map<string, number>();
  const rules = selected.map((rule): CompiledRule => {
    const ids = rule.keywords.map((k) => {
      const kw = k.toLowerCase();
      let id = keywordId.get(kw);
      if (id === undefined) {
        id = keywords.length;
        keywords.push(kw);
        keywordId.set(kw, id);
      }
      return id;
    });
    const flags = new Set([...rule.regex.flags, 'g', 'd']);
    flags.delete('y');
    return { rule, regex: new RegExp(rule.regex.source, [...flags].join('')), keywords: ids };
  });
  return { rules, index: new KeywordIndex(keywords), allowRules: config.allowRules };
}
