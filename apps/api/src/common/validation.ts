import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError } from '@hotline/workflow';

/**
 * class-validator's default English messages, said in Chinese for the people who read them (the
 * field path stays first, as the contract for programs). A message a DTO wrote itself, or one of
 * a constraint not listed, is kept as it is.
 */
const ZH: Record<string, { en: RegExp; zh: (m: RegExpMatchArray) => string }> = {
  isString: { en: /must be a string$/, zh: () => '须为文本' },
  isNotEmpty: { en: /should not be empty$/, zh: () => '不能为空' },
  isDefined: { en: /should not be null or undefined$/, zh: () => '必须填写' },
  maxLength: { en: /must be shorter than or equal to (\d+) characters$/, zh: (m) => `最多 ${m[1]} 个字符` },
  minLength: { en: /must be longer than or equal to (\d+) characters$/, zh: (m) => `至少 ${m[1]} 个字符` },
  isIn: { en: /must be one of the following values: (.*)$/, zh: (m) => `须为以下之一：${m[1]}` },
  isEnum: { en: /must be one of the following values: (.*)$/, zh: (m) => `须为以下之一：${m[1]}` },
  isInt: { en: /must be an integer number$/, zh: () => '须为整数' },
  isNumber: { en: /must be a number conforming to the specified constraints$/, zh: () => '须为数字' },
  min: { en: /must not be less than (-?[\d.]+)$/, zh: (m) => `不能小于 ${m[1]}` },
  max: { en: /must not be greater than (-?[\d.]+)$/, zh: (m) => `不能大于 ${m[1]}` },
  isDateString: {
    en: /must be a valid ISO 8601 date string$/,
    zh: () => '须为 ISO 8601 时间，如 2026-12-07T09:30:00+08:00',
  },
  isIso8601: {
    en: /must be a valid ISO 8601 date string$/,
    zh: () => '须为 ISO 8601 时间，如 2026-12-07T09:30:00+08:00',
  },
  isBoolean: { en: /must be a boolean value$/, zh: () => '须为 true 或 false' },
  isArray: { en: /must be an array$/, zh: () => '须为数组' },
  arrayMinSize: { en: /must contain at least (\d+) elements$/, zh: (m) => `至少 ${m[1]} 项` },
  arrayMaxSize: { en: /must contain no more than (\d+) elements$/, zh: (m) => `最多 ${m[1]} 项` },
  arrayUnique: { en: /elements must be unique$/, zh: () => '各项不能重复' },
  isUuid: { en: /must be a UUID$/, zh: () => '须为编号（UUID）' },
  matches: { en: /must match .* regular expression$/, zh: () => '格式不符合要求' },
  isObject: { en: /must be an object$/, zh: () => '须为对象' },
  nestedValidation: { en: /must be either object or array$/, zh: () => '须为对象或数组' },
  whitelistValidation: { en: /should not exist$/, zh: () => '不是允许的字段' },
};

function sayInChinese(constraint: string, message: string): string | null {
  const rule = ZH[constraint];
  const m = rule ? message.match(rule.en) : null;
  return rule && m ? rule.zh(m) : null;
}

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const [constraint, msg] of Object.entries(e.constraints ?? {})) {
      const zh = sayInChinese(constraint, msg);
      out.push({
        field,
        message: zh
          ? `${field}：${zh}`
          : msg.startsWith(e.property)
            ? `${field}${msg.slice(e.property.length)}`
            : /[\u4e00-\u9fff]/.test(msg)
              ? msg
              : `${field}: ${msg}`,
      });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** The global pipe: unknown fields refused, types converted, first field named in `field`. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...OPTIONS,
    transform: true,
    exceptionFactory: (errors) => {
      const flat = flatten(errors);
      return new BadRequestException({ message: flat.map((f) => f.message).join('；'), field: flat[0]?.field });
    },
  });
}

/** Validates a body against a DTO class chosen at run time (the action's DTO). */
export async function validateBody<T extends object>(cls: ClassConstructor<T>, body: unknown): Promise<T> {
  if (body === null || body === undefined) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('VALIDATION', 'body：请求体须为 JSON 对象', 'body');
  }
  const instance = plainToInstance(cls, body, { enableImplicitConversion: false });
  const errors = await validate(instance, OPTIONS);
  if (errors.length > 0) {
    const flat = flatten(errors);
    throw new DomainError('VALIDATION', flat.map((f) => f.message).join('；'), flat[0]?.field);
  }
  return instance;
}
