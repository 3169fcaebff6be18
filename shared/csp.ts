/**
 * The window's Content Security Policy: one policy for the Electron window
 * (a response header), `burrow serve` (a response header) and the built
 * page itself (a meta tag, which cannot carry frame-ancestors).
 */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** The policy as a `<meta http-equiv>` may hold it (browsers ignore frame-ancestors there, and warn). */
export const META_CSP = CSP.split('; ')
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');
