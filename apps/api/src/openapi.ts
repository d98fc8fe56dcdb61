import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/**
 * The API's OpenAPI document, built from the controllers' and DTOs' decorators. One function for
 * the served copy (/api/docs-json) and for `npm run gen:api-types`, which builds it from the same
 * module in Nest's preview mode (nothing instantiated, no database) and generates the micro-app's
 * types from it (issue 14.5).
 */
export function createApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('热线工单 Hotline Desk API')
    .setDescription('Tickets travel the dispatch chains of Article 8. See docs/api.md and docs/workflow.md.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}
