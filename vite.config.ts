import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export const THEME_COLOR = '#1d4ed8';

export default defineConfig({
  root: 'web',
  plugins: [
    preact(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // web/src/sw-bridge.ts registers the worker itself: no inline script (strict CSP).
      injectRegister: false,
      includeManifestIcons: false,
      registerType: 'prompt',
      manifest: {
        name: 'S/MIME Portal',
        short_name: 'S/MIME',
        description: 'Your S/MIME certificates on this device: read and sign encrypted mail.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: THEME_COLOR,
        background_color: '#ffffff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      injectManifest: {
        rollupFormat: 'iife',
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        // The admin console is its own entry (web/admin): end users never download or cache it.
        globIgnores: ['admin/**', 'assets/admin-*'],
      },
    }),
  ],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./web/index.html', import.meta.url)),
        admin: fileURLToPath(new URL('./web/admin/admin.html', import.meta.url)),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/scep': 'http://127.0.0.1:8080' },
  },
});
