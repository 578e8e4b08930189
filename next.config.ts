import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages with native or WebAssembly parts stay out of the bundle.
  serverExternalPackages: ["@node-rs/argon2", "pg-boss", "@electric-sql/pglite", "@electric-sql/pglite-socket", "ioredis", "prom-client"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
