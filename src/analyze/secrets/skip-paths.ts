/**
 * Paths the secret scanner never reads: numerous in every image, and unable to
 * hold a credential a person wrote. Kept short on purpose (docs/secrets.md
 * lists it); everything else that is text is scanned, binaries are skipped by
 * content (a NUL byte in the first 8 KiB).
 */
const SKIP_DIRS = [
  'usr/share/zoneinfo/', // compiled time-zone data (TZif), thousands of files
  'usr/share/locale/', // message catalogues (.mo)
  'usr/share/i18n/', // locale sources and charmaps
  'usr/share/man/', // gzip-compressed manual pages
  'usr/share/info/',
  'usr/share/mime/', // shared-mime-info database
  'usr/share/terminfo/',
  'usr/lib/locale/',
] as const;

/** Extensions of images, fonts, compiled catalogues and archives (lower case). */
const SKIP_EXTENSIONS: ReadonlySet<string> = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'ico',
  'bmp',
  'webp',
  'tif',
  'tiff',
  'svg',
  'icns',
  'psd',
  'ttf',
  'otf',
  'woff',
  'woff2',
  'eot',
  'pfb',
  'pcf',
  'afm',
  'mo',
  'gmo',
  'gz',
  'tgz',
  'xz',
  'bz2',
  'zst',
  'zip',
  'jar',
  'whl',
  'deb',
  'rpm',
  'apk',
  'so',
  'a',
  'o',
  'pyc',
  'class',
  'wasm',
  'mp3',
  'mp4',
  'wav',
  'ogg',
  'pdf',
]);

export function isSkippedPath(path: string): boolean {
  for (const dir of SKIP_DIRS) if (path.startsWith(dir)) return true;
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot <= slash + 1) return false;
  return SKIP_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}
