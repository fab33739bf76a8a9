/**
 * Label selectors as Kubernetes defines them (apimachinery
 * pkg/apis/meta/v1 LabelSelector; docs: "Labels and Selectors"): matchLabels
 * and matchExpressions are ANDed; In needs the key with one of the values,
 * NotIn matches when the key is absent or has none of them, Exists /
 * DoesNotExist test the key alone. An empty selector matches everything.
 */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelRequirement[];
}

export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/**
 * A namespace's labels: the configured ones plus kubernetes.io/metadata.name,
 * which the API server sets on every namespace (Kubernetes ≥ 1.22), so a
 * selector can name namespaces without any configuration.
 */
export function namespaceLabels(
  configured: Readonly<Record<string, Readonly<Record<string, string>>>>,
  namespace: string,
): Record<string, string> {
  return { ...configured[namespace], 'kubernetes.io/metadata.name': namespace };
}
