/** The adapter's version, reported by --version, logs and OpenAPI. */
export const VERSION = '0.1.0';
