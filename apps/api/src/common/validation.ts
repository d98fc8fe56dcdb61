import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError } from '@hotline/workflow';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const msg of Object.values(e.constraints ?? {})) {
      out.push({
        field,
        message: msg.startsWith(e.property) ? `${field}${msg.slice(e.property.length)}` : `${field}: ${msg}`,
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
      return new BadRequestException({ message: flat.map((f) => f.message).join('; '), field: flat[0]?.field });
    },
  });
}

/** Validates a body against a DTO class chosen at run time (the action's DTO). */
export async function validateBody<T extends object>(cls: ClassConstructor<T>, body: unknown): Promise<T> {
  if (body === null || body === undefined) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('VALIDATION', 'the body must be a JSON object', 'body');
  }
  const instance = plainToInstance(cls, body, { enableImplicitConversion: false });
  const errors = await validate(instance, OPTIONS);
  if (errors.length > 0) {
    const flat = flatten(errors);
    throw new DomainError('VALIDATION', flat.map((f) => f.message).join('; '), flat[0]?.field);
  }
  return instance;
}
