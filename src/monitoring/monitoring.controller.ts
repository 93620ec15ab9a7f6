import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/errors/api-error-responses.decorator';
import { PerformanceQueryDto } from './dto/performance-query.dto';
import { PerformanceResponseDto } from './dto/performance-response.dto';
import { MonitoringService } from './monitoring.service';

@ApiTags('monitoring')
@Controller('monitoring')
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringService) {}

  @Get('performance')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Accuracy, precision, recall and F1 from feedback, per model version and window, with degradation against the baseline',
  })
  @ApiOkResponse({ type: PerformanceResponseDto })
  @ApiErrorResponses(400)
  performance(@Query() query: PerformanceQueryDto): PerformanceResponseDto {
    return this.monitoring.report(query);
  }
}
