// Vite build for Quarry's web UI. The output (ui/dist, or the directory given
// by --outDir) is embedded into the quarry binary by cmake/EmbedAssets.cmake.
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative URLs: the UI works under any mount path.
  base: './',
  build: {
    // The server routes /assets/* as ONE path segment: keep every asset flat.
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    // `npm run dev`: the API and its event streams come from a running
    // `quarry serve` (QUARRY_ADMIN_URL, default https://127.0.0.1:8444).
    proxy: {
      '/api': {
        target: process.env.QUARRY_ADMIN_URL || 'https://127.0.0.1:8444',
        changeOrigin: true,
        secure: false,
      },
    },
  },
});
