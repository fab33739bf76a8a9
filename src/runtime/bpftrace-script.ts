/**
 * The bpftrace program the sensor runs (bpftrace(8), reference guide
 * https://github.com/bpftrace/bpftrace/blob/master/man/adoc/bpftrace.adoc). Tracepoints
 * only: they are a stable kernel ABI and work where kprobes are compiled out
 * (CONFIG_KPROBES=n). Every probe skips the host's mount namespace in the kernel,
 * so only processes in containers (another mount namespace) cost a line.
 *
 * Each event is one printf, numbers first, then the string fields in a fixed order
 * per type (STRING_FIELDS): printf does not escape a quote inside a string, so the
 * sensor reads the numbers from the head only and the strings by that order
 * (events.ts). bpftrace runs with `-f json`, which makes every printf one escaped JSON
 * record: a newline in a string cannot start a line of its own.
 *
 *   exec     sys_enter_execve: file and the first two arguments (shell -c SCRIPT, apt-get install X)
 *   open     sys_enter_openat: path and flags (O_WRONLY|O_RDWR|O_CREAT|O_TRUNC = a write)
 *   connect  sock:inet_sock_set_state → TCP_SYN_SENT, in the connecting task's context
 *   accept   sys_exit_accept(4): a connection accepted on a listening socket, with the peer's address
 *            and port and the local port, read from the new descriptor's socket (task → files →
 *            fd[ret] → socket → sock, include/net/sock.h `struct sock_common`)
 *   privesc  sched_process_exec with effective uid 0 and real uid ≠ 0 (a set-user-ID-root binary ran)
 *   setuid   sys_enter_setuid: the uid asked for
 *   capset   sys_enter_capset
 *   send     sys_enter_write / sendto of a buffer starting with `{"` (JSON-RPC, as Stratum mining speaks)
 *
 * Folding: `open`, `connect`, `accept` and `send` repeat (a service opens the same
 * file thousands of times a second). The first one of each (mount namespace, what the
 * rules and baselines read: flags, comm and path; comm and destination; local port,
 * comm and peer address; comm and buffer) in a
 * FOLD_INTERVAL_S interval is printed; the repeats only add to the per-CPU count
 * `@folded[mntns, cgroup, type]`, printed every interval as `@folded[M, C, T]: N`
 * (N cumulative since bpftrace started: never cleared, so no increment is lost
 * between a print and a clear). The set of what was printed, `@seen_*`, is cleared
 * every interval, so each interval reports again. exec, privesc, setuid and capset
 * are never folded. A full `@seen_*` map (BPFTRACE_MAP_KEYS_MAX) makes the
 * lookup miss: the event is printed, never dropped.
 */

export const EVENT_TYPES = ['exec', 'open', 'connect', 'accept', 'privesc', 'setuid', 'capset', 'send'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** String fields of each event type, in the order the program prints them (always last). */
export const STRING_FIELDS: Readonly<Record<EventType, readonly string[]>> = {
  exec: ['comm', 'file', 'a1', 'a2'],
  open: ['comm', 'file'],
  connect: ['comm', 'addr'],
  accept: ['comm', 'addr'],
  privesc: ['comm', 'file'],
  setuid: ['comm'],
  capset: ['comm'],
  send: ['comm', 'data'],
};

/** Event types the kernel folds into counts after their first line in an interval. */
export const FOLDED_TYPES: readonly EventType[] = ['open', 'connect', 'accept', 'send'];

/** Seconds between two prints of the folded counts (and clears of what was printed). */
export const FOLD_INTERVAL_S = 1;

/**
 * Every this many intervals the counts are printed, cleared and this line follows, in
 * one probe so the three stay in order: keys of containers gone would otherwise fill
 * `@folded` (BPFTRACE_MAP_KEYS_MAX) and stop the counting of new ones. The sensor
 * starts its totals again from zero on the line; increments between the print and
 * the clear (microseconds, once a minute) are lost.
 */
export const FOLD_RESET_TICKS = 60;
export const FOLDED_CLEARED = '@folded cleared';

/** bpftrace's string size: 3 strings of this size plus the numbers stay under the 512-byte BPF stack. */
export const BPFTRACE_STRLEN = 96;

/**
 * glibc malloc settings for the bpftrace child (glibc manual, "Memory Allocation
 * Tunables"): one arena (bpftrace's work after attaching is one thread reading the perf
 * buffers), freed memory returned at once (trim threshold 0) and blocks of 64 KiB and
 * more mapped on their own, so what LLVM and clang freed after compiling the program
 * goes back to the kernel. Measured on the sensor's program: 41 → 34 MB anonymous
 * resident memory (docs/runtime.md "Cost"). Settings the caller already has come after
 * these and win (glibc applies the list in order).
 */
export const BPFTRACE_MALLOC_TUNABLES =
  'glibc.malloc.arena_max=1:glibc.malloc.trim_threshold=0:glibc.malloc.mmap_threshold=65536';

/** The environment bpftrace runs with: the sensor's, its string size and the malloc settings. */
export function bpftraceEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own = base.GLIBC_TUNABLES;
  return {
    ...base,
    BPFTRACE_STRLEN: String(BPFTRACE_STRLEN),
    GLIBC_TUNABLES: own ? `${BPFTRACE_MALLOC_TUNABLES}:${own}` : BPFTRACE_MALLOC_TUNABLES,
  };
}

const MNTNS = 'curtask->nsproxy->mnt_ns->ns.inum';

/**
 * Print the event the first time its key is seen in the interval, else only count it.
 * `key` lists what the rules read of this type, so a folded event can raise nothing
 * the printed one did not.
 */
function folded(type: EventType, key: string, print: string): string {
  const seen = `@seen_${type}[$m, ${key}]`;
  return `if (${seen}) {
    @folded[$m, cgroup, "${type}"] = count();
  } else {
    ${seen} = 1;
    ${print}
  }`;
}

const q = (name: string): string => `\\"${name}\\"`;

/** printf format and arguments of one event: common numbers, the type's numbers, then its strings. */
function line(
  type: EventType,
  numbers: readonly [string, string, string][],
  strings: readonly string[],
  mntns = MNTNS,
): string {
  const common: [string, string, string][] = [
    ['ns', '%llu', 'nsecs'],
    ['pid', '%d', 'pid'],
    ['uid', '%d', 'uid'],
    ['mntns', '%u', mntns],
    ['cg', '%llu', 'cgroup'],
  ];
  const fields = [...common, ...numbers];
  const names = STRING_FIELDS[type];
  const fmt = [
    `${q('t')}:${q(type)}`,
    ...fields.map(([n, f]) => `${q(n)}:${f}`),
    ...names.map((n) => `${q(n)}:${q('%s')}`),
  ].join(',');
  return `printf("{${fmt}}\\n", ${[...fields.map(([, , e]) => e), ...strings].join(', ')});`;
}

/** The program, for a host whose own mount namespace has this inode (readlink /proc/1/ns/mnt). */
export function bpftraceProgram(hostMntNs: number): string {
  const inContainer = `curtask->nsproxy->mnt_ns->ns.inum != ${hostMntNs}`;
  return `// customs sensor: process, file, network and credential events of containers (docs/runtime.md)
tracepoint:syscalls:sys_enter_execve
/${inContainer}/
{
  ${line('exec', [['ppid', '%d', 'curtask->real_parent->tgid']], ['comm', 'str(args->filename)', 'str(args->argv[1])', 'str(args->argv[2])'])}
}
tracepoint:syscalls:sys_enter_openat
/${inContainer}/
{
  $m = ${MNTNS};
  $f = str(args->filename);
  ${folded('open', 'args->flags, comm, $f', line('open', [['flags', '%d', 'args->flags']], ['comm', '$f'], '$m'))}
}
tracepoint:sock:inet_sock_set_state
/args->newstate == 2 && args->protocol == 6 && ${inContainer}/
{
  $m = ${MNTNS};
  if (args->family == 2) {
    $a = ntop(2, args->daddr);
  } else {
    $a = ntop(10, args->daddr_v6);
  }
  ${folded('connect', 'args->dport, comm, $a', line('connect', [['port', '%d', 'args->dport']], ['comm', '$a'], '$m'))}
}
tracepoint:syscalls:sys_enter_accept4, tracepoint:syscalls:sys_enter_accept
/${inContainer}/
{
  @accepting[tid] = 1;
}
tracepoint:syscalls:sys_exit_accept4, tracepoint:syscalls:sys_exit_accept
/@accepting[tid]/
{
  delete(@accepting[tid]);
  if (args->ret >= 0) {
    $m = ${MNTNS};
    $sk = ((struct socket *)(*(curtask->files->fdt->fd + args->ret))->private_data)->sk;
    if ($sk->__sk_common.skc_family == 2) {
      $a = ntop(2, $sk->__sk_common.skc_daddr);
    } else {
      $a = ntop(10, $sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8);
    }
    $l = $sk->__sk_common.skc_num;
    ${folded(
      'accept',
      '$l, comm, $a',
      line(
        'accept',
        [
          ['fd', '%d', 'args->ret'],
          ['port', '%d', 'bswap($sk->__sk_common.skc_dport)'],
          ['lport', '%d', '$l'],
        ],
        ['comm', '$a'],
        '$m',
      ),
    )}
  }
}
tracepoint:sched:sched_process_exec
/${inContainer} && curtask->cred->euid.val == 0 && uid != 0/
{
  ${line('privesc', [['euid', '%d', 'curtask->cred->euid.val']], ['comm', 'str(args->filename)'])}
}
tracepoint:syscalls:sys_enter_setuid
/${inContainer}/
{
  ${line('setuid', [['target', '%d', 'args->uid']], ['comm'])}
}
tracepoint:syscalls:sys_enter_capset
/${inContainer}/
{
  ${line('capset', [], ['comm'])}
}
tracepoint:syscalls:sys_enter_write
/${inContainer} && args->count > 8/
{
  if (str(args->buf, 2) == "{\\"") {
    $m = ${MNTNS};
    $d = str(args->buf, ${BPFTRACE_STRLEN});
    ${folded('send', 'comm, $d', line('send', [], ['comm', '$d'], '$m'))}
  }
}
tracepoint:syscalls:sys_enter_sendto
/${inContainer} && args->len > 8/
{
  if (str(args->buff, 2) == "{\\"") {
    $m = ${MNTNS};
    $d = str(args->buff, ${BPFTRACE_STRLEN});
    ${folded('send', 'comm, $d', line('send', [], ['comm', '$d'], '$m'))}
  }
}
interval:s:${FOLD_INTERVAL_S}
{
  ${FOLDED_TYPES.map((t) => `clear(@seen_${t});`).join(' ')}
  print(@folded);
  @ticks = @ticks + 1;
  if (@ticks >= ${FOLD_RESET_TICKS}) {
    @ticks = 0;
    clear(@folded);
    printf("${FOLDED_CLEARED}\\n");
  }
}
END
{
  ${FOLDED_TYPES.map((t) => `clear(@seen_${t});`).join(' ')}
  clear(@accepting);
  clear(@ticks);
}
`;
}
