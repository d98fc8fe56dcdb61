// Which files we keep, judged by their first bytes, never by the name or the declared type.

export const ALLOWED_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf'] as const;
export type AllowedType = (typeof ALLOWED_TYPES)[number];

/** Bytes needed to tell every allowed type apart (WebP's marker ends at byte 12). */
export const SIGNATURE_BYTES = 12;

export const TYPE_RULE = '只能上传 JPEG、PNG、WebP、GIF 图片和 PDF 文件（按文件内容判断）。';

const startsWith = (head: Uint8Array, bytes: number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The content type the first bytes prove, or null when they match none we accept. */
export function sniffType(head: Uint8Array): AllowedType | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(head, ascii('%PDF-'))) return 'application/pdf';
  return null;
}

/** A file name safe to store and to echo in Content-Disposition: no path, no control characters. */
export function cleanFileName(raw: string | undefined, type: AllowedType): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && c !== '"')
    .join('')
    .trim()
    .slice(0, 200);
  if (cleaned) return cleaned;
  const ext = {
    'image/jpeg': 'jpg',
    'image/png': 'png',
    'image/webp': 'webp',
    'image/gif': 'gif',
    'application/pdf': 'pdf',
  }[type];
  return `attachment.${ext}`;
}
