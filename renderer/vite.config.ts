import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

declare global {
  interface ImportMeta {
    /** Set by Node ≥ 20.11 and by Vite's config loader; typed here because the renderer has no Node types. */
    dirname: string;
  }
}

export default defineConfig({
  root: import.meta.dirname,
  // Relative asset URLs: the same build is served by `tapedeck ui` at / and by Electron from a
  // custom scheme.
  base: './',
  // The Content-Security-Policy comes from the hosts (the `tapedeck ui` server, Electron's
  // protocol handler), which know the origins they serve from.
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Monaco alone is a few MB; the warning would only repeat that.
    chunkSizeWarningLimit: 6000,
  },
  worker: { format: 'es' },
});
