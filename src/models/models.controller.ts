import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminTokenGuard } from '../common/auth/admin-token.guard';
import { ApiErrorResponses } from '../common/errors/api-error-responses.decorator';
import { ActivateRequestDto } from './dto/activate-request.dto';
import { HistoryQueryDto } from './dto/history-query.dto';
import { HistoryDto, ModelListDto, ModelVersionDto, ProductionChangeDto } from './dto/model-version.dto';
import { RegisterModelRequestDto, UpdateModelRequestDto } from './dto/register-model-request.dto';
import { CanaryRequestDto, ShadowRequestDto } from './dto/traffic-request.dto';
import { ModelsViewService } from './models-view.service';

/** Model management: every route needs the admin token (docs/models.md says why the reads do too). */
@ApiTags('models')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@ApiErrorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503)
@Controller()
export class ModelsController {
  constructor(private readonly models: ModelsViewService) {}

  @Post('update-model')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Register a model directory from MODEL_IMPORT_ROOT, validate it and make it production' })
  @ApiOkResponse({ type: ProductionChangeDto })
  updateModel(@Body() request: UpdateModelRequestDto): Promise<ProductionChangeDto> {
    return this.models.updateModel(request);
  }

  @Get('models')
  @ApiOperation({ summary: 'Every registered version: manifest, role, state, predictions, accuracy/F1 from feedback' })
  @ApiOkResponse({ type: ModelListDto })
  list(): Promise<ModelListDto> {
    return this.models.list();
  }

  @Get('models/history')
  @ApiOperation({ summary: 'Every role change, registration and refused admin action, newest first' })
  @ApiOkResponse({ type: HistoryDto })
  history(@Query() query: HistoryQueryDto): Promise<HistoryDto> {
    return this.models.history(query);
  }

  @Get('models/:version')
  @ApiOperation({ summary: 'One version: manifest, role, state, figures, shadow agreement' })
  @ApiOkResponse({ type: ModelVersionDto })
  get(@Param('version') version: string): Promise<ModelVersionDto> {
    return this.models.get(version);
  }

  @Post('models')
  @ApiOperation({ summary: 'Register a model directory from MODEL_IMPORT_ROOT without activating it' })
  @ApiCreatedResponse({ type: ModelVersionDto })
  register(@Body() request: RegisterModelRequestDto): Promise<ModelVersionDto> {
    return this.models.register(request);
  }

  @Post('models/rollback')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Production returns to the previous production version' })
  @ApiOkResponse({ type: ProductionChangeDto })
  rollback(@Body() request: ActivateRequestDto = {}): Promise<ProductionChangeDto> {
    return this.models.rollback(request);
  }

  @Put('models/canary')
  @ApiOperation({ summary: 'Send a percent of interactive requests to a version' })
  @ApiOkResponse({ type: ModelVersionDto })
  setCanary(@Body() request: CanaryRequestDto): Promise<ModelVersionDto> {
    return this.models.setCanary(request);
  }

  @Post('models/canary/promote')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Make the canary production' })
  @ApiOkResponse({ type: ProductionChangeDto })
  promoteCanary(@Body() request: ActivateRequestDto = {}): Promise<ProductionChangeDto> {
    return this.models.promoteCanary(request);
  }

  @Delete('models/canary')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Send all traffic back to production and unload the canary' })
  @ApiNoContentResponse()
  clearCanary(): Promise<void> {
    return this.models.clearCanary();
  }

  @Put('models/shadow')
  @ApiOperation({ summary: 'Classify a sample of production traffic with a version too, after the response, and compare' })
  @ApiOkResponse({ type: ModelVersionDto })
  setShadow(@Body() request: ShadowRequestDto): Promise<ModelVersionDto> {
    return this.models.setShadow(request);
  }

  @Delete('models/shadow')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Stop shadowing and unload the shadow' })
  @ApiNoContentResponse()
  clearShadow(): Promise<void> {
    return this.models.clearShadow();
  }

  @Post('models/:version/activate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Validate a registered version and make it production (hot swap)' })
  @ApiOkResponse({ type: ProductionChangeDto })
  activate(@Param('version') version: string, @Body() request: ActivateRequestDto = {}): Promise<ProductionChangeDto> {
    return this.models.activate(version, request);
  }

  @Delete('models/:version')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a version from the registry (refused while it has a role)' })
  @ApiNoContentResponse()
  remove(@Param('version') version: string): Promise<void> {
    return this.models.remove(version);
  }
}
