import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorDetail } from '../errors/app-error';
import { describeValue } from '../errors/describe-value';
import { compilePlainDtoCheck, PlainDtoCheck } from './plain-dto-check';

/**
 * The global validation pipe: class-validator DTOs with transform + whitelist + forbidNonWhitelisted, every
 * failure raised as one VALIDATION_FAILED AppError listing each problem. A body that is not a JSON object
 * (null, a number, an array, no body at all) is rejected first, with a message that says so. A valid body of a
 * simple DTO takes a fast path (see plain-dto-check.ts); everything else, every invalid body included, the full one.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  /** Per DTO class: its fast check, or null when it has none. */
  private readonly plainChecks = new Map<ArgumentMetadata['metatype'], PlainDtoCheck | null>();

  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => validationFailed(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && !isPlainObject(value)) {
      throw new AppError('VALIDATION_FAILED', `The request body must be a JSON object but received ${describeValue(value)}`);
    }
    if (metadata.type === 'body' && metadata.metatype && isPlainObject(value)) {
      const dto = this.plainCheckFor(metadata.metatype)?.(value);
      if (dto) return dto;
    }
    return super.transform(value, metadata);
  }

  private plainCheckFor(metatype: NonNullable<ArgumentMetadata['metatype']>): PlainDtoCheck | null {
    let check = this.plainChecks.get(metatype);
    if (check === undefined) {
      // Only classes are DTOs; Nest also passes String, Object and the like for other parameters.
      check = this.toValidate({ type: 'body', metatype }) ? compilePlainDtoCheck(metatype as new () => object) : null;
      this.plainChecks.set(metatype, check);
    }
    return check;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flattens class-validator's tree into one detail per problem, each with its field path. */
export function validationFailed(errors: ValidationError[]): AppError {
  const details = errors.flatMap((error) => flatten(error, ''));
  const message =
    details.length === 1 ? details[0].message : `${details.length} problems: ${details.map((d) => d.message).join('; ')}`;
  return new AppError('VALIDATION_FAILED', message, details);
}

function flatten(error: ValidationError, prefix: string): ErrorDetail[] {
  const field = /^\d+$/.test(error.property)
    ? `${prefix}[${error.property}]`
    : prefix
      ? `${prefix}.${error.property}`
      : error.property;
  const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
    field,
    message: constraint === 'whitelistValidation' ? `property ${field} is not allowed` : message,
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, field))];
}
