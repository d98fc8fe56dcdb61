// caller data is masked in every response unless revealed on record (a later issue).

/** 张三 → 张*, 欧阳娜娜 → 欧***. */
export function maskName(name: string | null): string | null {
  if (!name) return name;
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** 13800138000 → 138****8000; short or odd numbers keep only their last 2 digits. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  const digits = phone.replace(/\D/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length >= 7) return `${digits.slice(0, 2)}****${digits.slice(-2)}`;
  return '*'.repeat(Math.max(digits.length - 2, 1)) + digits.slice(-2);
}

/** Keeps only the broad start of an address (never a house number): 人民路100号3单元 → 人民路****. */
export function maskAddress(address: string | null): string | null {
  if (!address) return address;
  const chars = Array.from(address.trim());
  const keep = Math.min(6, Math.floor(chars.length / 3));
  return chars.slice(0, keep).join('') + '****';
}
