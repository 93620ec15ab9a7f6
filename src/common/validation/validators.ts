import { Transform } from 'class-transformer';
import { registerDecorator, ValidationArguments } from 'class-validator';
import { describeValue } from '../errors/describe-value';

/**
 * Field validators whose messages name the field, what was expected and what was received, e.g.
 * "texts[2] must be a string but received the number 42". One decorator per field keeps exactly one message
 * per problem.
 */

/** A UUID in its 8-4-4-4-12 hex form, any case (the form prediction ids are handed out in). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The rule of each one-field validator below, by its registered name: the decorators validate with these, and
 * the validation pipe's fast path (plain-dto-check.ts) checks a valid body with the very same functions.
 */
export const FIELD_RULES: ReadonlyMap<string, (value: unknown) => boolean> = new Map<string, (value: unknown) => boolean>([
  ['isRequiredString', (value) => typeof value === 'string'],
  ['isNonEmptyStringArray', (value) => Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')],
  ['isNonEmptyString', (value) => typeof value === 'string' && value.length > 0],
  ['isUuidString', (value) => typeof value === 'string' && UUID_PATTERN.test(value)],
]);

function rule(name: string): (value: unknown) => boolean {
  return FIELD_RULES.get(name)!;
}

/** A present string (empty and whitespace-only strings are valid texts). */
export function IsRequiredString(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRequiredString',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: rule('isRequiredString'),
        defaultMessage: ({ property, value }: ValidationArguments) =>
          value === undefined
            ? `${property} is required (a string)`
            : `${property} must be a string but received ${describeValue(value)}`,
      },
    });
}

/** A present, non-empty array whose every item is a string. */
export function IsNonEmptyStringArray(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNonEmptyStringArray',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: rule('isNonEmptyStringArray'),
        defaultMessage: ({ property, value }: ValidationArguments) => {
          if (value === undefined) return `${property} is required (an array of strings)`;
          if (!Array.isArray(value)) return `${property} must be an array of strings but received ${describeValue(value)}`;
          if (value.length === 0) return `${property} must contain at least one text`;
          const bad = value.flatMap((item, index) => (typeof item === 'string' ? [] : [index]));
          const first = bad[0];
          const more = bad.length > 1 ? ` (and ${bad.length - 1} more non-string items)` : '';
          return `${property}[${first}] must be a string but received ${describeValue(value[first])}${more}`;
        },
      },
    });
}

/** A present string with at least one character (names, labels). */
export function IsNonEmptyString(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNonEmptyString',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: rule('isNonEmptyString'),
        defaultMessage: ({ property, value }: ValidationArguments) => {
          if (value === undefined) return `${property} is required (a non-empty string)`;
          if (typeof value !== 'string') return `${property} must be a non-empty string but received ${describeValue(value)}`;
          return `${property} must not be empty`;
        },
      },
    });
}

/** A present string in the UUID form 8-4-4-4-12 hex digits (either case, as RFC 9562 allows). */
export function IsUuidString(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isUuidString',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: rule('isUuidString'),
        defaultMessage: ({ property, value }: ValidationArguments) => {
          if (value === undefined) return `${property} is required (a UUID string)`;
          if (typeof value !== 'string') return `${property} must be a UUID string but received ${describeValue(value)}`;
          return `${property} must be a UUID such as 0b8f6f5e-3c1d-4d0e-9a57-2f4f8f1f6a11 but received ${quoteForMessage(value)}`;
        },
      },
    });
}

/** A received string quoted for an error message, cut short so a huge value cannot flood the response. */
export function quoteForMessage(value: string, maxChars = 64): string {
  return JSON.stringify(value.length > maxChars ? `${value.slice(0, maxChars)}…` : value);
}

/**
 * An optional query parameter holding a whole number between `min` and `max`, written in decimal digits; it
 * reaches the handler as a number. Anything else (a sign, a fraction, an empty value, the parameter given twice)
 * is rejected with the value received, e.g. `limit must be an integer between 1 and 1000 but received "ten"`.
 */
export function IsOptionalIntegerParam(min: number, max: number): PropertyDecorator {
  return (target, propertyName) => {
    // Only well-formed digits become numbers, so the message can quote any other input exactly as received.
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value))(
      target,
      propertyName,
    );
    registerDecorator({
      name: 'isOptionalIntegerParam',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) =>
          value === undefined || (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max),
        defaultMessage: ({ property, value }: ValidationArguments) =>
          `${property} must be an integer between ${min} and ${max} but received ${describeParam(value)}`,
      },
    });
  };
}

function describeParam(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quoteForMessage(value);
  if (Array.isArray(value)) return `${value.length} values (give it once)`;
  return describeValue(value);
}
