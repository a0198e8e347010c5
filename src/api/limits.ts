// Size limits of the HTTP API (no imports, so configuration can read them without loading the server).

/** Largest JSON request body accepted, unless CLEARINGHOUSE_BODY_LIMIT says otherwise. */
export const defaultBodyLimit = 10 * 1024 * 1024;
