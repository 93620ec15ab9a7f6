import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/errors/api-error-responses.decorator';
import { BatchSentimentRequestDto } from './dto/batch-sentiment-request.dto';
import { BatchSentimentResponseDto } from './dto/batch-sentiment-response.dto';
import { SentimentRequestDto } from './dto/sentiment-request.dto';
import { SentimentResponseDto } from './dto/sentiment-response.dto';
import { InferenceService } from './inference.service';

@ApiTags('inference')
@ApiErrorResponses(400, 413, 415, 429, 500, 503)
@Controller()
export class InferenceController {
  constructor(private readonly inference: InferenceService) {}

  @Post('sentiment')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Classify one text' })
  @ApiOkResponse({ type: SentimentResponseDto })
  classify(@Body() request: SentimentRequestDto): Promise<SentimentResponseDto> {
    return this.inference.classifyOne(request.text);
  }

  @Post('batch-sentiment')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Classify several texts in one request (results in input order)' })
  @ApiOkResponse({ type: BatchSentimentResponseDto })
  classifyBatch(@Body() request: BatchSentimentRequestDto): Promise<BatchSentimentResponseDto> {
    return this.inference.classifyBatch(request.texts);
  }
}
