/**
 * Ports of remote-administration and control-plane services that should not
 * be exposed by an application image (CIS Docker Benchmark 5.8 "Ensure that
 * only needed ports are open on the container"; SSH inside containers: 5.7/4.x).
 */
export const SENSITIVE_PORTS: Readonly<Record<number, string>> = {
  21: 'FTP',
  22: 'SSH',
  23: 'Telnet',
  111: 'rpcbind',
  135: 'MS RPC',
  139: 'NetBIOS',
  445: 'SMB',
  2375: 'Docker Engine API (plain HTTP)',
  2376: 'Docker Engine API (TLS)',
  2379: 'etcd client',
  2380: 'etcd peer',
  3389: 'RDP',
  5900: 'VNC',
  5985: 'WinRM (HTTP)',
  5986: 'WinRM (HTTPS)',
  10250: 'kubelet API',
};

/**
 * Sensitive ports named by one EXPOSE word or ExposedPorts key: `22`,
 * `22/tcp`, `20-25/udp` (a range exposes each port in it).
 */
export function sensitivePortsIn(spec: string): { readonly port: number; readonly service: string }[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec.trim());
  if (!m) return [];
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  const out: { port: number; service: string }[] = [];
  for (const [p, service] of Object.entries(SENSITIVE_PORTS)) {
    const port = Number(p);
    if (port >= from && port <= to) out.push({ port, service });
  }
  return out;
}
