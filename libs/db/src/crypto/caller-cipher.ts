// R-19 at rest: caller name, phone and address are stored encrypted (AES-256-GCM, authenticated)
// with the key id in every value so keys can rotate; the phone also gets a keyed hash of its
// normalised digits for exact-match look-ups (repeat callers, X-6) without decrypting anything.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export interface CallerCipherKeys {
  /** Encryption keys by id; `current` encrypts, every one decrypts. 32 bytes each. */
  keys: Map<string, Buffer>;
  current: string;
  /** HMAC key of the phone hash; never rotated (the hash must stay comparable). */
  hashKey: Buffer;
}

const PREFIX = 'enc:v1';

export class CallerCipher {
  constructor(private readonly k: CallerCipherKeys) {
    if (!k.keys.has(k.current)) throw new Error(`caller data key "${k.current}" is not among the keys`);
    for (const [id, key] of k.keys) {
      if (key.length !== 32) throw new Error(`caller data key "${id}" must be 32 bytes`);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id))
        throw new Error(`caller data key id "${id}" must be 1-32 letters, digits, - or _`);
    }
    if (k.hashKey.length < 32) throw new Error('the caller phone hash key must be at least 32 bytes');
  }

  get currentKeyId(): string {
    return this.k.current;
  }

  encrypt(plain: string | null): string | null {
    if (plain === null) return null;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.k.keys.get(this.k.current)!, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      PREFIX,
      this.k.current,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ct.toString('base64url'),
    ].join(':');
  }

  /** Clear text of a stored value; a value from before encryption is returned as it is. */
  decrypt(stored: string | null): string | null {
    if (stored === null) return null;
    if (!stored.startsWith(`${PREFIX}:`)) return stored;
    const [, , kid, iv, tag, ct] = stored.split(':');
    const key = this.k.keys.get(kid);
    if (!key) throw new Error(`caller data was encrypted with key "${kid}", which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** The key id a stored value was encrypted with (null for clear or empty values). */
  keyIdOf(stored: string | null): string | null {
    return stored?.startsWith(`${PREFIX}:`) ? stored.split(':')[2] : null;
  }

  /** Keyed hash of the phone's digits (+86 and separators ignored), for exact matching. */
  phoneHash(phone: string | null): string | null {
    if (!phone) return null;
    let digits = phone.replace(/\D/g, '');
    if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
    if (digits.length === 0) return null;
    return createHmac('sha256', this.k.hashKey).update(digits).digest('hex');
  }
}

/** Parses CALLER_DATA_KEYS: `id1:base64key,id2:base64key` (the first one encrypts). */
export function parseCallerKeys(spec: string, hashKey: string): CallerCipherKeys {
  const keys = new Map<string, Buffer>();
  let current = '';
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id, b64] = part.split(':');
    keys.set(id, Buffer.from(b64 ?? '', 'base64'));
    current ||= id;
  }
  return { keys, current, hashKey: Buffer.from(hashKey, 'base64') };
}
