import { Command, Option } from 'commander';
import { EXIT } from '../../core/index.js';
import { BENCH_FORMATS, type BenchFormat } from '../../report/index.js';
import { writeOutput } from '../output.js';

// The benchmark code loads when the command runs, so `--help` starts fast.
const bench = () => import('../../bench/index.js');
const report = () => import('../../report/index.js');

interface BenchFlags {
  readonly format: BenchFormat;
  readonly output?: string;
  readonly exitCode?: boolean;
}

function formatOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'output format').choices(BENCH_FORMATS).default('table'))
    .option('-o, --output <file>', 'write to FILE instead of stdout (written atomically)')
    .option('--exit-code', 'exit 1 when a control fails');
}

async function write(r: import('../../bench/index.js').BenchReport, flags: BenchFlags): Promise<void> {
  const { renderBench } = await report();
  await writeOutput(renderBench(r, flags.format, new Date()), flags.output);
  process.exitCode = flags.exitCode && r.results.some((c) => c.status === 'fail') ? EXIT.policyFailed : EXIT.ok;
}

export function benchCommand(signal: AbortSignal): Command {
  const cmd = new Command('bench')
    .description('Check this host against the CIS Docker and Kubernetes benchmarks')
    .addHelpText(
      'after',
      `
Examples:
  customs bench docker
  customs bench docker -f json -o docker-bench.json
  customs bench k8s-node --root /mnt/node1
  customs bench k8s-control-plane -f junit -o cis-k8s.xml

Each control has its benchmark number, level, whether the benchmark scores it, a status
(pass, fail, warn, info, manual), the evidence that decided it and a remediation
(docs/bench.md). Exit status: 0 ok (failed controls included, unless --exit-code),
1 a control failed with --exit-code, 2 usage error, 3 the daemon or files could not be read.`,
    );

  const docker = formatOptions(
    new Command('docker').description(
      'CIS Docker Benchmark v1.6.0 (sections 1–6) against the Docker Engine of DOCKER_HOST and this host',
    ),
  );
  docker.addHelpText(
    'after',
    `
Examples:
  customs bench docker                                  # the daemon of DOCKER_HOST (default unix:///var/run/docker.sock)
  DOCKER_HOST=unix:///run/user/1000/docker.sock customs bench docker -f sarif -o docker.sarif
  customs bench docker -f junit -o cis-docker.xml --exit-code
  customs bench docker --include shop-,payments   # only containers/images named so

Reads the Engine API (/info, every container and image), the running dockerd's command line,
daemon.json, /proc/self/mountinfo, the audit rules and the files the benchmark names; changes nothing.
Run it as root to read every file.`,
  );
  docker.option(
    '--include <patterns>',
    'judge only containers whose name and images whose tag contain one of these (comma-separated)',
  );
  docker.action(async (flags: BenchFlags & { include?: string }) => {
    const b = await bench();
    const include = flags.include
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const r = await b.benchDocker({
      signal,
      ...(include && include.length > 0 ? { include } : {}),
      ...(process.env.DOCKER_HOST ? { dockerHost: process.env.DOCKER_HOST } : {}),
    });
    await write(r, flags);
  });
  cmd.addCommand(docker);

  const node = formatOptions(
    new Command('k8s-node').description(
      'CIS Kubernetes Benchmark v1.12 section 4 (worker node): kubelet config file and flags, kubelet/proxy kubeconfig and CA file permissions',
    ),
  ).option('--root <dir>', "the node's root directory (a mounted copy of its filesystem)", '/');
  node.addHelpText(
    'after',
    `
Examples:
  customs bench k8s-node                          # this node
  customs bench k8s-node --root /mnt/node1 -f json

Reads the kubelet unit and drop-ins (flags, EnvironmentFile), the KubeletConfiguration
(--config or /var/lib/kubelet/config.yaml; a flag wins over the file), the kubeconfig and
client CA file, and the kube-proxy configuration, all under --root.`,
  );
  node.action(async (flags: BenchFlags & { root: string }) => {
    await write(await (await bench()).benchK8sNode(flags.root), flags);
  });
  cmd.addCommand(node);

  const cp = formatOptions(
    new Command('k8s-control-plane').description(
      'CIS Kubernetes Benchmark v1.12 sections 1–2: static pod manifests (API server, controller manager, scheduler, etcd flags) and control-plane file permissions',
    ),
  ).option('--root <dir>', "the node's root directory (a mounted copy of its filesystem)", '/');
  cp.addHelpText(
    'after',
    `
Examples:
  customs bench k8s-control-plane
  customs bench k8s-control-plane --root /mnt/cp1 -f junit -o cis-k8s.xml --exit-code

Reads /etc/kubernetes/manifests/{kube-apiserver,kube-controller-manager,kube-scheduler,etcd}.yaml
(the container's command and args), the kubeconfigs, /etc/kubernetes/pki, /etc/cni/net.d and the
etcd data directory, all under --root.`,
  );
  cp.action(async (flags: BenchFlags & { root: string }) => {
    await write(await (await bench()).benchK8sControlPlane(flags.root), flags);
  });
  cmd.addCommand(cp);
  return cmd;
}
