/**
 * Where a registry may send customs. A registry answers with URLs of its
 * choosing — blob redirects (distribution-spec "Pulling blobs": a 307 to
 * storage) and Bearer token realms (distribution docs/spec/auth/token.md) —
 * and a hostile or compromised registry can point them at the scanning
 * machine itself (loopback), at a cloud metadata service (link-local,
 * 169.254.169.254) or into the private network around it. Customs only
 * follows such a URL to another host when that host's addresses are public,
 * or private while the registry itself is on a private network (a registry
 * and its blob store inside one company network). `--insecure` lifts it.
 */
import type { LookupAddress, LookupAllOptions, LookupOptions } from 'node:dns';
import { nodeDns, nodeNet } from '../../core/index.js';

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'reserved';

function v4Bytes(ip: string): number[] | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  const out = parts.map(Number);
  return out.every((n) => Number.isInteger(n) && n >= 0 && n <= 255) ? out : undefined;
}

function classifyV4(ip: string): AddressClass {
  const b = v4Bytes(ip);
  if (!b) return 'reserved';
  const [a = 0, c = 0] = b;
  if (a === 127) return 'loopback';
  // 0.0.0.0/8 "this network": Linux connects 0.0.0.0 to the local host.
  if (a === 0) return 'loopback';
  if (a === 169 && c === 254) return 'link-local'; // RFC 3927; cloud metadata services live here
  if (a === 10) return 'private'; // RFC 1918
  if (a === 172 && c >= 16 && c <= 31) return 'private';
  if (a === 192 && c === 168) return 'private';
  if (a === 100 && c >= 64 && c <= 127) return 'private'; // RFC 6598 shared address space (CGNAT)
  if (a === 198 && (c === 18 || c === 19)) return 'private'; // RFC 2544 benchmarking
  if (a >= 224) return 'reserved'; // multicast, class E, broadcast
  return 'public';
}

/** Expand an IPv6 literal to its 8 groups (no zone id; a dotted IPv4 tail becomes two groups). */
function v6Groups(ip: string): number[] | undefined {
  let s = ip.toLowerCase().replace(/%.*$/, '');
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const b = v4Bytes(dotted[2] ?? '');
    if (!b) return undefined;
    const [a = 0, c = 0, d = 0, e = 0] = b;
    s = `${dotted[1]}${((a << 8) | c).toString(16)}:${((d << 8) | e).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => Number.parseInt(g, 16)));
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (fill < 0) return undefined;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

function classifyV6(ip: string): AddressClass {
  const g = v6Groups(ip);
  if (!g) return 'reserved';
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroPrefix = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroPrefix && g5 === 0 && g6 === 0 && (g7 === 1 || g7 === 0)) return 'loopback'; // ::1, ::
  // IPv4-mapped ::ffff:a.b.c.d (RFC 4291 §2.5.5.2) reaches the IPv4 address.
  if (zeroPrefix && g5 === 0xffff) return classifyV4(`${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`);
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((g0 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local (RFC 4193)
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return 'reserved'; // multicast
  // NAT64 64:ff9b::/96 (RFC 6052) reaches the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return classifyV4(`${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`);
  return 'public';
}

/** The class of an IP address literal (v4 or v6, brackets allowed). */
export function classifyAddress(ip: string): AddressClass {
  const bare = ip.replace(/^\[|\]$/g, '');
  const kind = nodeNet().isIP(bare.replace(/%.*$/, ''));
  if (kind === 4) return classifyV4(bare);
  if (kind === 6) return classifyV6(bare);
  return 'reserved';
}

/**
 * The class of a registry given all its addresses: private only when every
 * address is private (a name that also resolves publicly is a public registry).
 */
export function registryClass(addresses: readonly string[]): AddressClass {
  const classes = addresses.map(classifyAddress);
  if (classes.length === 0) return 'public';
  if (classes.every((c) => c === 'private')) return 'private';
  if (classes.some((c) => c === 'public')) return 'public';
  return classes[0] ?? 'public';
}

/**
 * Why customs will not connect to `address` on behalf of a registry of class
 * `registry`, or undefined when it may: public targets always, private ones
 * from a private registry; never loopback, link-local or reserved.
 */
export function refusedTarget(address: string, registry: AddressClass): string | undefined {
  const cls = classifyAddress(address);
  if (cls === 'public') return undefined;
  if (cls === 'private' && registry === 'private') return undefined;
  return `${address} is a ${cls} address`;
}

/** An error a guarded lookup fails with; `code` lets callers tell it from network errors. */
export class AddressRefusedError extends Error {
  readonly code = 'CUSTOMS_ADDRESS_REFUSED';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `net.connect` lookup that resolves as usual and fails when any address
 * is refused. Checking at connect time (not before the request) means a
 * name that resolves differently the second time (DNS rebinding) gains
 * nothing. IP literals never reach a lookup: callers check those themselves.
 */
export function guardedLookup(
  registry: () => Promise<AddressClass>,
): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    const all = options.all === true;
    nodeDns().lookup(hostname, { ...options, all: true } as LookupAllOptions, (err, addresses) => {
      if (err) return callback(err, all ? [] : '', undefined);
      registry().then(
        (cls) => {
          for (const a of addresses) {
            const why = refusedTarget(a.address, cls);
            if (why) return callback(new AddressRefusedError(`${hostname}: ${why}`), all ? [] : '', undefined);
          }
          if (all) return callback(null, addresses);
          const first = addresses[0];
          if (!first) return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '');
          callback(null, first.address, first.family);
        },
        (e: unknown) => callback(e as NodeJS.ErrnoException, all ? [] : '', undefined),
      );
    });
  };
}

/** All addresses of a host name (or the literal itself). */
export function resolveAll(hostname: string): Promise<string[]> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (nodeNet().isIP(bare)) return Promise.resolve([bare]);
  return new Promise((resolve) => {
    nodeDns().lookup(bare, { all: true }, (err, addresses) => resolve(err ? [] : addresses.map((a) => a.address)));
  });
}
