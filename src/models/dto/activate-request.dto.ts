import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

/** Body of POST /models/{version}/activate, /models/rollback and /models/canary/promote (optional). */
export class ActivateRequestDto {
  @ApiPropertyOptional({
    description: "Accept labels that differ from production's (default false; a rollback allows it by default: it restores what served before).",
  })
  @IsOptional()
  @IsBoolean({ message: 'allow_label_change must be a boolean' })
  allow_label_change?: boolean;
}
