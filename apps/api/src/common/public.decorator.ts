import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'hotline:isPublic';
/** Marks a route that needs no bearer token (health, docs, sign-in). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
