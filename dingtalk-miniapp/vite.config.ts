import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` forwards /api to a running API (default: the port `npm start` uses in dev).
const apiTarget = process.env.HOTLINE_API_URL ?? 'http://127.0.0.1:3300';

export default defineConfig({
  plugins: [react()],
  // Relative asset paths, so the built app works wherever the API mounts it.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: {
    host: '0.0.0.0',
    port: 5173,
    proxy: { '/api': { target: apiTarget, changeOrigin: true } },
  },
});
