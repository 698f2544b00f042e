// Build the console into the Python package, where `riskloop serve` serves it at /console with every asset local.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: "../src/riskloop/api/static/console",
    emptyOutDir: true,
    chunkSizeWarningLimit: 8192, // the strategy studio's lazy chunk carries Monaco (jdm-editor's code editor), ~5 MB
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a `riskloop serve` on :8000
    proxy: { "/v1": "http://127.0.0.1:8000", "/openapi.json": "http://127.0.0.1:8000" },
  },
});
