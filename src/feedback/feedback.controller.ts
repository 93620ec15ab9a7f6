import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/errors/api-error-responses.decorator';
import { FeedbackRequestDto } from './dto/feedback-request.dto';
import { FeedbackResponseDto } from './dto/feedback-response.dto';
import { FeedbackService } from './feedback.service';

@ApiTags('feedback')
@Controller('feedback')
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  @Post()
  // 200 whatever the outcome: the same request sent twice is answered the same way (status says what happened).
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Give the correct label for a logged prediction (a second feedback replaces the first; a retry changes nothing)',
  })
  @ApiOkResponse({ type: FeedbackResponseDto })
  @ApiErrorResponses(400, 404, 413, 415, 422, 503)
  submit(@Body() request: FeedbackRequestDto): Promise<FeedbackResponseDto> {
    return this.feedback.submit(request.prediction_id, request.correct_label);
  }
}
