import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // livekit-client is most of the page's weight; its own chunk caches across releases.
    rollupOptions: { output: { manualChunks: { livekit: ["livekit-client"] } } },
    chunkSizeWarningLimit: 700,
  },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
