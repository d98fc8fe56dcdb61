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
  let digits = phone.replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2); // +86 country code
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

/**
 * text that leaves for DingTalk (a subject typed by a dispatcher) must not carry the
 * caller's name, phone or address: each is replaced by its mask, and so is any mobile number.
 */
export function scrubCallerData(
  text: string,
  caller: { name: string | null; phone: string | null; address: string | null },
): string {
  let out = text;
  const replace = (value: string | null, mask: string | null) => {
    if (value && value.trim().length >= 2) out = out.split(value.trim()).join(mask ?? '***');
  };
  replace(caller.address, maskAddress(caller.address));
  replace(caller.phone, maskPhone(caller.phone));
  replace(caller.name, maskName(caller.name));
  return maskNumbers(out);
}

/**
 * R-19 (issue 17, item 6): phone and identity-card numbers anywhere in free text: mobile numbers
 * (138****5678), landlines with an area code (025****78) and ID numbers, 18 or 15 characters
 * (110**************4; only the first 3 and the last character stay, so neither the birth date
 * nor the place can be read).
 */
export function maskNumbers(text: string): string {
  return text
    .replace(
      /(?<![\dA-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![\dA-Za-z])/g,
      (_m, a: string, b: string) => `${a}**************${b.slice(-1)}`,
    )
    .replace(/(?<![\dA-Za-z])(\d{3})\d{11}(\d)(?![\dA-Za-z])/g, (_m, a: string, b: string) => `${a}***********${b}`)
    .replace(
      /(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g,
      (_m, a: string, _b: string, c: string) => `${a}****${c}`,
    )
    .replace(
      /(?<![\d*])(0\d{2,3})\)?[\s-]?(\d{3,4})[\s-]?(\d{4})(?!\d)/g,
      (_m, a: string, _b: string, c: string) => `${a}****${c.slice(-2)}`,
    );
}
