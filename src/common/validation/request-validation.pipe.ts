import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorDetail } from '../errors/app-error';
import { describeValue } from '../errors/describe-value';

/**
 * The global validation pipe: class-validator DTOs with transform + whitelist + forbidNonWhitelisted, every
 * failure raised as one VALIDATION_FAILED AppError listing each problem. A body that is not a JSON object
 * (null, a number, an array, no body at all) is rejected first, with a message that says so.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
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
    return super.transform(value, metadata);
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
