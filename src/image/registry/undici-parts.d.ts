// undici ships types for its index only; registry-client.ts loads two of its files directly.
declare module 'undici/lib/dispatcher/agent.js';
declare module 'undici/lib/api/api-request.js';
