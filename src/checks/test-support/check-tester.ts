import assert from 'node:assert/strict';
import { checkDockerfile } from '../dockerfile/check-dockerfile.js';
import { checkKubernetes } from '../kubernetes/check-kubernetes.js';
import type { KubernetesOptions } from '../kubernetes/k8s-check.js';
import type { Misconfiguration } from '../types.js';

/** Runs every check on one input, the way `customs config` does, and asserts about one check. */
export class CheckTester {
  #run: (() => readonly Misconfiguration[]) | undefined;
  #what = '';

  constructor(readonly checkId: string) {}

  /** A Dockerfile's text (path "Dockerfile"). */
  dockerfile(text: string, path = 'Dockerfile'): this {
    this.#run = () => checkDockerfile(text, path);
    this.#what = `${path}:\n${text}`;
    return this;
  }

  /** A Kubernetes manifest stream (YAML or JSON; path "manifest.yaml"). */
  k8s(yaml: string, options: KubernetesOptions = {}, path = 'manifest.yaml'): this {
    this.#run = () => checkKubernetes(yaml, path, options);
    this.#what = `${path}:\n${yaml}`;
    return this;
  }

  /** Every finding of every check on the input. */
  all(): readonly Misconfiguration[] {
    if (this.#run === undefined) throw new Error('checkTester: call .dockerfile() or .k8s() first');
    return this.#run();
  }

  /** This check's findings on the input, optionally only those about `target`. */
  findings(target?: string): Misconfiguration[] {
    return this.all().filter((f) => f.checkId === this.checkId && (target === undefined || f.target === target));
  }

  /**
   * The check fires; with `line`, it fires at that 1-based start line. Returns its findings
   * (at that line, when given).
   */
  fires(line?: number): Misconfiguration[] {
    const found = this.findings();
    const at = line === undefined ? found : found.filter((f) => f.location?.startLine === line);
    const lines = found.map((f) => f.location?.startLine ?? 0).join(', ');
    assert.ok(
      at.length > 0,
      `${this.checkId} did not fire${line === undefined ? '' : ` at line ${line} (fired at: ${lines || 'none'})`} on ${this.#what}`,
    );
    return at;
  }

  /** The check fires on the object named `target` ("Deployment/ns/name …"). */
  firesOn(target: string): Misconfiguration[] {
    const at = this.findings(target);
    assert.ok(at.length > 0, `${this.checkId} did not fire on ${target} in ${this.#what}`);
    return at;
  }

  /** The check does not fire anywhere on the input. */
  passes(): void {
    const found = this.findings();
    assert.equal(
      found.length,
      0,
      `${this.checkId} fired on ${this.#what}: ${found.map((f) => `line ${f.location?.startLine ?? 0}: ${f.message}`).join('; ')}`,
    );
  }
}

/** `checkTester('CUS-DF-004').dockerfile(text).fires(3)`, `.k8s(yaml).passes()`. */
export function checkTester(checkId: string): CheckTester {
  return new CheckTester(checkId);
}
