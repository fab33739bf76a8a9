/** Chunk size for reading blobs from disk: large chunks cut per-chunk overhead in the layer walk. */
export const READ_CHUNK = 1024 * 1024;
