/** The backend this project of the suite runs against (vitest.config.ts aliases it). */
export { defaultBackend } from '#default-backend';
