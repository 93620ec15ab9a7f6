import { Body, Controller, Get, Header, HttpCode, HttpStatus, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminTokenGuard } from '../common/auth/admin-token.guard';
import { ApiErrorResponses } from '../common/errors/api-error-responses.decorator';
import { ErrorBodyDto } from '../common/errors/error-body.dto';
import { DriftReportService, referenceDto } from './drift-report.service';
import { DriftService } from './drift.service';
import { DriftQueryDto } from './dto/drift-query.dto';
import { DriftReferenceRequestDto } from './dto/drift-reference-request.dto';
import { DriftReferenceResponseDto, DriftResponseDto } from './dto/drift-response.dto';

@ApiTags('monitoring')
@Controller('monitoring/drift')
export class DriftController {
  constructor(
    private readonly report: DriftReportService,
    private readonly drift: DriftService,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Data drift per model version: reference, current window, past windows with every test (statistic, p-value, Holm-adjusted p-value)',
  })
  @ApiOkResponse({ type: DriftResponseDto })
  @ApiErrorResponses(400, 404, 503)
  status(@Query() query: DriftQueryDto): Promise<DriftResponseDto> {
    return this.report.report(query);
  }

  @Put('reference')
  @HttpCode(HttpStatus.OK)
  @UseGuards(AdminTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: "Replace a model version's drift reference with these texts' features and start a new window (admin)" })
  @ApiOkResponse({ type: DriftReferenceResponseDto })
  @ApiResponse({ status: 401, description: 'UNAUTHORIZED: no or wrong "Authorization: Bearer <ADMIN_TOKEN>"', type: ErrorBodyDto })
  @ApiResponse({ status: 403, description: 'ADMIN_DISABLED: ADMIN_TOKEN is not set', type: ErrorBodyDto })
  @ApiErrorResponses(400, 404, 413, 415, 429, 503)
  async setReference(@Body() request: DriftReferenceRequestDto): Promise<DriftReferenceResponseDto> {
    const reference = await this.drift.setReference(request.texts, request.model_version);
    return { model_version: reference.modelVersion, reference: referenceDto(reference) };
  }
}
