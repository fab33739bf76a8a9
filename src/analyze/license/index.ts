export { debianCopyright, parseDebianCopyright, COPYRIGHT_MAX_FILE_SIZE } from './debian-copyright.js';
