import { signToken, verifyToken } from './token';

const SECRET = 'x'.repeat(40);

describe('bearer tokens', () => {
  it('R-19: a token verifies until it expires, and not a second after', () => {
    const t = signToken(SECRET, 'dispatcher1', 1_000_000, 60);
    expect(verifyToken(SECRET, t, 1_000_000)?.sub).toBe('dispatcher1');
    expect(verifyToken(SECRET, t, 1_059_999)?.sub).toBe('dispatcher1');
    expect(verifyToken(SECRET, t, 1_060_000)).toBeNull();
  });

  it('R-19: a token signed with another key, or altered, is refused', () => {
    const t = signToken(SECRET, 'dispatcher1', 0, 60);
    expect(verifyToken('y'.repeat(40), t, 0)).toBeNull();
    const [h, p, s] = t.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', iat: 0, exp: 60 })).toString('base64url');
    expect(verifyToken(SECRET, `${h}.${forged}.${s}`, 0)).toBeNull();
    expect(verifyToken(SECRET, `${h}.${p}`, 0)).toBeNull();
    expect(verifyToken(SECRET, 'garbage', 0)).toBeNull();
  });

  it('R-19: two tokens issued at the same instant differ', () => {
    expect(signToken(SECRET, 'a', 0, 60)).not.toBe(signToken(SECRET, 'a', 0, 60));
  });
});
