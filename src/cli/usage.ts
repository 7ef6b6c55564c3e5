// Usage errors and exit statuses, as the CLI's files import them (defined in src/core/usageError.ts).
export { EXIT, UsageError } from '../core/usageError.js';
