import { cleanFileName, sniffType } from './file-signature';

const bytes = (...parts: Array<string | number[]>) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('sniffType', () => {
  it.each([
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'), 'image/jpeg'],
    ['png', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'image/png'],
    ['gif87', bytes('GIF87a', [1, 0]), 'image/gif'],
    ['gif89', bytes('GIF89a', [1, 0]), 'image/gif'],
    ['webp', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
    ['pdf', bytes('%PDF-1.7\n'), 'application/pdf'],
  ])('recognises %s by its first bytes', (_name, head, type) => {
    expect(sniffType(head)).toBe(type);
  });

  it.each([
    ['an exe', bytes('MZ', [0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0])],
    ['a RIFF that is not WebP (wav)', bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt ')],
    ['html', bytes('<html><body>')],
    ['nothing', bytes()],
  ])('refuses %s', (_name, head) => {
    expect(sniffType(head)).toBeNull();
  });
});

describe('cleanFileName', () => {
  it('keeps the base name only and drops control characters and quotes', () => {
    expect(cleanFileName('../../etc/pa"ss\u0000wd.jpg', 'image/jpeg')).toBe('passwd.jpg');
    expect(cleanFileName('C:\\photos\\现场.png', 'image/png')).toBe('现场.png');
  });
  it('names a nameless file by its type', () => {
    expect(cleanFileName(undefined, 'application/pdf')).toBe('attachment.pdf');
  });
});
