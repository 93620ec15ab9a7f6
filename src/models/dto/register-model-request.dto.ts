import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsNonEmptyString } from '../../common/validation/validators';

/** POST /models: a model directory inside MODEL_IMPORT_ROOT to copy into the registry. */
export class RegisterModelRequestDto {
  @ApiProperty({
    description: 'Server path of a model directory; it must resolve (symlinks followed) inside MODEL_IMPORT_ROOT.',
    example: '/srv/model-imports/sentiment-2026-11-30',
  })
  @IsNonEmptyString()
  model_path: string;

  @ApiPropertyOptional({
    description: 'Version name (letters, digits, . _ @ + -; at most 128). Default: `<model name>@<12 hex digits of its files\' SHA-256>`.',
    example: 'sentiment-v2',
  })
  @IsOptional()
  @IsNonEmptyString()
  version_name?: string;

  @ApiPropertyOptional({ description: 'Free text kept in the manifest.', example: 'retrained on November feedback' })
  @IsOptional()
  @IsString({ message: 'notes must be a string' })
  @MaxLength(2000, { message: 'notes must be at most 2000 characters' })
  notes?: string;
}

/** POST /update-model: register and make production in one call. */
export class UpdateModelRequestDto extends RegisterModelRequestDto {
  @ApiPropertyOptional({ description: "Accept labels that differ from production's.", default: false })
  @IsOptional()
  @IsBoolean({ message: 'allow_label_change must be a boolean' })
  allow_label_change?: boolean;
}
