/** Where the dashboard listens unless told otherwise: this machine only. */
export const DEFAULT_PORT = 4280;
export const DEFAULT_HOST = '127.0.0.1';
