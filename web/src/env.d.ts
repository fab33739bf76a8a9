/** Stylesheets are bundled by esbuild into the one CSS asset (scripts/web-build.mjs). */
declare module '*.css';
