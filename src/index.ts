/** The package root: what merchants and operators import. */
export * from './protocol/errors.js';
export * from './protocol/signature.js';
export * from './protocol/payload.js';
export * from './protocol/envelope.js';
export * from './protocol/time.js';
export { startServer, type RunningServer, type ServerOptions } from './server.js';
export { DEFAULTS, type LinkConfig, type MqttOptions, type ServerConfig } from './config.js';
export * from './client/index.js';
