import { randomBytes } from 'node:crypto';
import { CallerCipher } from './caller-cipher';

const key = () => randomBytes(32);

describe('caller data at rest (R-19)', () => {
  const k1 = key();
  const k2 = key();
  const hashKey = key();
  const cipher = new CallerCipher({ keys: new Map([['k1', k1]]), current: 'k1', hashKey });

  it('R-19: values are encrypted with authentication and the key id; each encryption differs', () => {
    const a = cipher.encrypt('13812345678')!;
    const b = cipher.encrypt('13812345678')!;
    expect(a).not.toContain('13812345678');
    expect(a).not.toBe(b);
    expect(cipher.keyIdOf(a)).toBe('k1');
    expect(cipher.decrypt(a)).toBe('13812345678');
    expect(cipher.encrypt(null)).toBeNull();
  });

  it('R-19: a tampered value does not decrypt', () => {
    const a = cipher.encrypt('张三')!.split(':');
    const ct = Buffer.from(a[5], 'base64url');
    ct[0] ^= 1;
    a[5] = ct.toString('base64url');
    expect(() => cipher.decrypt(a.join(':'))).toThrow();
  });

  it('R-19: keys rotate: a new key encrypts, old values still decrypt', () => {
    const old = cipher.encrypt('人民路100号')!;
    const rotated = new CallerCipher({
      keys: new Map([
        ['k2', k2],
        ['k1', k1],
      ]),
      current: 'k2',
      hashKey,
    });
    expect(rotated.decrypt(old)).toBe('人民路100号');
    expect(rotated.keyIdOf(rotated.encrypt('x'))).toBe('k2');
    const without = new CallerCipher({ keys: new Map([['k2', k2]]), current: 'k2', hashKey });
    expect(() => without.decrypt(old)).toThrow(/k1/);
  });

  it('X-6: the phone hash matches the same number however it is written, and reveals nothing', () => {
    const h = cipher.phoneHash('13812345678');
    expect(cipher.phoneHash('+86 138-1234-5678')).toBe(h);
    expect(cipher.phoneHash('138 1234 5678')).toBe(h);
    expect(cipher.phoneHash('13812345679')).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const other = new CallerCipher({ keys: new Map([['k1', k1]]), current: 'k1', hashKey: key() });
    expect(other.phoneHash('13812345678')).not.toBe(h);
  });

  it('R-19: bad key material is refused at start', () => {
    expect(() => new CallerCipher({ keys: new Map([['k1', randomBytes(16)]]), current: 'k1', hashKey })).toThrow(
      /32 bytes/,
    );
    expect(() => new CallerCipher({ keys: new Map([['k1', k1]]), current: 'k9', hashKey })).toThrow(/k9/);
  });
});
