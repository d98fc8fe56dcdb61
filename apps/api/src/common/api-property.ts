import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

// Short forms for the response DTOs (issue 14.5): the micro-app's types are generated from these,
// so every field says its type and whether it may be null or absent. No swc plugin infers them.
type Extra = Omit<ApiPropertyOptions, 'type' | 'nullable'>;

export const Str = (extra: Extra = {}) => ApiProperty({ type: String, ...extra } as ApiPropertyOptions);
export const StrOrNull = (extra: Extra = {}) =>
  ApiProperty({ type: String, nullable: true, ...extra } as ApiPropertyOptions);
export const Int = (extra: Extra = {}) => ApiProperty({ type: 'integer', ...extra } as ApiPropertyOptions);
export const Bool = (extra: Extra = {}) => ApiProperty({ type: Boolean, ...extra } as ApiPropertyOptions);
/**
 * A nested object (or, with `isArray`, a list of them). The swagger module knows a lazy type by
 * its function's name being `type`, so the arrow is written as the option itself, not passed on.
 */
export const Obj = (lazy: () => object, extra: Extra = {}) =>
  ApiProperty({ type: () => lazy(), ...extra } as ApiPropertyOptions);
export const ObjOrNull = (lazy: () => object, extra: Extra = {}) =>
  ApiProperty({ type: () => lazy(), nullable: true, ...extra } as ApiPropertyOptions);
/** Free-form JSON (a timeline event's data, a deadline's basis). */
export const JsonOrNull = (extra: Extra = {}) =>
  ApiProperty({ type: 'object', additionalProperties: true, nullable: true, ...extra } as ApiPropertyOptions);

export const LIGHTS = ['green', 'yellow', 'red'] as const;
/** a deadline light; null when nothing is open. */
export const LightOrNull = (extra: Extra = {}) =>
  ApiProperty({ enum: LIGHTS, enumName: 'Light', nullable: true, ...extra } as ApiPropertyOptions);
