/**
 * How a user names an image (docs/targets.md). Transport prefixes follow
 * skopeo's (containers-transports(5)):
 *   docker-archive:PATH[:REF|:@N|@N]   oci:PATH[:REF]   oci-archive:PATH[:REF]
 *   docker-daemon:NAME|ID   dir:PATH   registry:REF   docker://REF
 * Anything else is a bare argument, resolved by openImage (path or reference).
 */
import { CustomsError } from '../core/index.js';
import { type ImageReference, parseNormalizedReference } from './reference.js';

export type Target =
  | { readonly transport: 'docker-archive'; readonly path: string; readonly ref?: string; readonly index?: number }
  | { readonly transport: 'oci' | 'oci-archive'; readonly path: string; readonly ref?: string }
  | { readonly transport: 'docker-daemon'; readonly name: string }
  | { readonly transport: 'dir'; readonly path: string }
  | { readonly transport: 'registry'; readonly ref: ImageReference }
  | { readonly transport: 'bare'; readonly arg: string };

function need(value: string, transport: string, what: string): string {
  if (value === '')
    throw new CustomsError(
      'USAGE_BAD_ARGUMENT',
      `"${transport}:" needs ${what}, e.g. ${transport}:${what === 'a path' ? './image.tar' : 'nginx:1.25'}`,
    );
  return value;
}

/** Split `PATH[:REST]` at the first ":" (skopeo does the same; paths cannot hold ":"). */
function splitPath(rest: string): { path: string; extra?: string } {
  const i = rest.indexOf(':');
  return i < 0 ? { path: rest } : { path: rest.slice(0, i), extra: rest.slice(i + 1) };
}

export function parseTarget(input: string): Target {
  const s = input.trim();
  if (s.startsWith('docker://'))
    return {
      transport: 'registry',
      ref: parseNormalizedReference(need(s.slice(9).replace(/^\/\//, ''), 'docker', 'a reference')),
    };
  const colon = s.indexOf(':');
  const prefix = colon > 0 ? s.slice(0, colon) : '';
  const rest = s.slice(colon + 1);
  switch (prefix) {
    case 'docker-archive': {
      const { path, extra } = splitPath(need(rest, prefix, 'a path'));
      const at = /^(.*[^@])@(\d+)$/.exec(path);
      if (extra === undefined && at?.[1] && at[2])
        return { transport: 'docker-archive', path: at[1], index: Number(at[2]) };
      if (extra === undefined || extra === '')
        return { transport: 'docker-archive', path: need(path, prefix, 'a path') };
      if (/^@\d+$/.test(extra)) return { transport: 'docker-archive', path, index: Number(extra.slice(1)) };
      if (extra.startsWith('@'))
        throw new CustomsError(
          'USAGE_BAD_ARGUMENT',
          `"${input}": the image index after "@" must be a number, e.g. docker-archive:${path}@0`,
        );
      parseNormalizedReference(extra); // validate early, with the grammar's message
      return { transport: 'docker-archive', path, ref: extra };
    }
    case 'oci':
    case 'oci-archive': {
      const { path, extra } = splitPath(need(rest, prefix, 'a path'));
      need(path, prefix, 'a path');
      return extra !== undefined && extra !== ''
        ? { transport: prefix, path, ref: extra }
        : { transport: prefix, path };
    }
    case 'docker-daemon':
      return { transport: 'docker-daemon', name: need(rest, prefix, 'an image name or ID') };
    case 'dir':
      return { transport: 'dir', path: need(rest, prefix, 'a path') };
    case 'registry':
    case 'docker':
      return {
        transport: 'registry',
        ref: parseNormalizedReference(need(rest.replace(/^\/\//, ''), prefix, 'a reference')),
      };
    default:
      if (s === '')
        throw new CustomsError(
          'USAGE_BAD_ARGUMENT',
          'no image given; name an image such as nginx:1.25, ./image.tar or oci:./layout',
        );
      return { transport: 'bare', arg: s };
  }
}
