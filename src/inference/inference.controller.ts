import { Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/errors/api-error-responses.decorator';
import { BatchSentimentRequestDto } from './dto/batch-sentiment-request.dto';
import { BatchSentimentResponseDto } from './dto/batch-sentiment-response.dto';
import { SentimentRequestDto } from './dto/sentiment-request.dto';
import { SentimentResponseDto } from './dto/sentiment-response.dto';
import { InferenceService } from './inference.service';

/** The header whose stable hash keeps a client on one side of a canary split (docs/models.md). */
export const CLIENT_KEY_HEADER = 'x-client-key';

const CLIENT_KEY_DOC = {
  name: 'X-Client-Key',
  required: false,
  description: 'Any stable client identifier: while a canary runs, the same key always lands on the same model version.',
};

@ApiTags('inference')
@ApiErrorResponses(400, 413, 415, 429, 500, 503)
@Controller()
export class InferenceController {
  constructor(private readonly inference: InferenceService) {}

  @Post('sentiment')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Classify one text' })
  @ApiOkResponse({ type: SentimentResponseDto })
  @ApiHeader(CLIENT_KEY_DOC)
  classify(@Body() request: SentimentRequestDto, @Headers(CLIENT_KEY_HEADER) clientKey?: string): Promise<SentimentResponseDto> {
    return this.inference.classifyOne(request.text, clientKey);
  }

  @Post('batch-sentiment')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Classify several texts in one request (results in input order)' })
  @ApiOkResponse({ type: BatchSentimentResponseDto })
  @ApiHeader(CLIENT_KEY_DOC)
  classifyBatch(@Body() request: BatchSentimentRequestDto, @Headers(CLIENT_KEY_HEADER) clientKey?: string): Promise<BatchSentimentResponseDto> {
    return this.inference.classifyBatch(request.texts, clientKey);
  }
}
