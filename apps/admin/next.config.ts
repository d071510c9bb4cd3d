import { type NextConfig } from "next";

const config: NextConfig = {
  // The build type-checks with tsc; a type error fails it.
  typescript: { ignoreBuildErrors: false },
  poweredByHeader: false,
  // The client is a workspace package of TypeScript compiled to ESM; bundle it with the app.
  transpilePackages: ["@strata/client"],
};

export default config;
