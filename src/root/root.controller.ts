import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/errors/api-error-responses.decorator';
import { RootResponseDto } from './dto/root-response.dto';
import { RootService } from './root.service';

@ApiTags('service')
@Controller()
export class RootController {
  constructor(private readonly root: RootService) {}

  @Get()
  @ApiOperation({ summary: 'Welcome message, the served model and the endpoints' })
  @ApiOkResponse({ type: RootResponseDto })
  @ApiErrorResponses(503)
  describe(): RootResponseDto {
    return this.root.describe();
  }
}
