/**
 * Types for bcrypt-pbkdf (a dependency of ssh2, CommonJS, untyped): the KDF
 * OpenSSH uses to turn a passphrase into a private key file's cipher key.
 */
declare module 'bcrypt-pbkdf' {
  /** Fills `key` (keylen bytes) from pass and salt; returns 0 on success, -1 on bad arguments. */
  function pbkdf(pass: Uint8Array, passlen: number, salt: Uint8Array, saltlen: number, key: Uint8Array, keylen: number, rounds: number): number;
  const bcryptPbkdf: { pbkdf: typeof pbkdf };
  export default bcryptPbkdf;
}
