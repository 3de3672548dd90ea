// Row ids: short, random, URL-safe. Works in browsers and Node (Web Crypto is global in both).
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

export function newId(prefix = 'r'): string {
  const bytes = new Uint8Array(12)
  globalThis.crypto.getRandomValues(bytes)
  let out = prefix + '_'
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return out
}
