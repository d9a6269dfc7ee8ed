// The app's public API: config, email, storage, flows, and createApp wiring them together.
export { type App, type AppOptions, createApp } from './app.ts';
export * from './config/index.ts';
export * from './email/index.ts';
export * from './flows/index.ts';
export { consoleLogger, type Logger, silentLogger } from './logger.ts';
export * from './storage/index.ts';
