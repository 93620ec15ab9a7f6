import { TransformationType } from 'class-transformer';
import type { MetadataStorage as TransformerMetadataStorage } from 'class-transformer/types/MetadataStorage';
import { getMetadataStorage } from 'class-validator';
import { FIELD_RULES } from './validators';

// class-transformer keeps its decorators' metadata in this module-level store; its index does not re-export it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: TransformerMetadataStorage };

/**
 * Checks a request body against a DTO class and builds the DTO, or says `undefined` ("take the full path").
 * Only a body the full path would accept unchanged passes: exactly the DTO's fields, each satisfying its rule.
 */
export type PlainDtoCheck = (body: Record<string, unknown>) => object | undefined;

type Constructor = new () => object;

/**
 * The validation pipe's fast path for the hot routes. class-transformer plus class-validator cost tens of
 * microseconds per request even for one string field, most of it spent finding out that a valid body is valid.
 * For a DTO class whose every field carries exactly one of the project's one-field validators (FIELD_RULES) and
 * nothing from class-transformer (no @Transform, @Type, @Expose or @Exclude), a valid body is recognised with the
 * same rule functions and becomes the DTO directly. Anything else, and every invalid body, goes through the full
 * class-validator path, so each error message comes from the one place it always came from.
 *
 * Returns null when the class does not qualify (the pipe then always takes the full path).
 */
export function compilePlainDtoCheck(metatype: Constructor): PlainDtoCheck | null {
  // The same query class-validator makes for the pipe's options (no groups, `always` unset).
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(metatype, '', false, false);
  if (metadatas.length === 0) return null;
  const fields: [string, (value: unknown) => boolean][] = [];
  for (const metadata of metadatas) {
    const check = metadata.name === undefined ? undefined : FIELD_RULES.get(metadata.name);
    if (!check || metadata.each || metadata.validateIf || fields.some(([name]) => name === metadata.propertyName)) return null;
    if (hasTransformerMetadata(metatype, metadata.propertyName)) return null;
    fields.push([metadata.propertyName, check]);
  }
  if (defaultMetadataStorage.getExposedMetadatas(metatype).length > 0) return null;
  if (defaultMetadataStorage.getExcludedMetadatas(metatype).length > 0) return null;

  return (body) => {
    let present = 0;
    for (const [name, check] of fields) {
      if (!Object.prototype.hasOwnProperty.call(body, name) || !check(body[name])) return undefined;
      present++;
    }
    // Any other key is a whitelist violation: the full path reports it.
    if (Object.keys(body).length !== present) return undefined;
    const dto = new metatype() as Record<string, unknown>;
    for (const [name] of fields) dto[name] = body[name];
    return dto;
  };
}

function hasTransformerMetadata(metatype: Constructor, property: string): boolean {
  return (
    defaultMetadataStorage.findTransformMetadatas(metatype, property, TransformationType.PLAIN_TO_CLASS).length > 0 ||
    defaultMetadataStorage.findTypeMetadata(metatype, property) !== undefined
  );
}
