import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const DOCS_PATH = '/docs';
export const DOCS_JSON_PATH = '/docs-json';

/** Serves the Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication, version: string): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ONNX text classification server')
      .setDescription(
        'Hugging Face text classifiers exported to ONNX, served by a native engine. Every error has the body ' +
          '{"error": {"code": "...", "message": "...", "details": [...]}} with a stable code.',
      )
      .setVersion(version)
      .build(),
  );
  SwaggerModule.setup(DOCS_PATH.slice(1), app, document, { jsonDocumentUrl: DOCS_JSON_PATH.slice(1) });
}
