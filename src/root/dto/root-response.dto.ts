import { ApiProperty } from '@nestjs/swagger';

export class ModelSummaryDto {
  @ApiProperty({ example: 'distilbert-base-uncased-finetuned-sst-2-english' })
  name: string;

  @ApiProperty({ example: 'demo-sentiment@3f2a9c0b1d4e', description: 'Version stamped on every prediction (MODEL_VERSION, or name@hash of the files).' })
  version: string;

  @ApiProperty({ type: [String], example: ['NEGATIVE', 'POSITIVE'], description: 'Labels in id order.' })
  labels: string[];

  @ApiProperty({ example: 512, description: 'Maximum tokens per input; longer inputs are truncated.' })
  max_length: number;

  @ApiProperty({ example: 'cpu' })
  execution_provider: string;
}

export class EndpointDto {
  @ApiProperty({ example: 'POST' })
  method: string;

  @ApiProperty({ example: '/sentiment' })
  path: string;

  @ApiProperty({ example: 'Classify one text' })
  description: string;
}

export class RootResponseDto {
  @ApiProperty({ example: 'Welcome to the ONNX text classification server' })
  message: string;

  @ApiProperty({ type: ModelSummaryDto })
  model: ModelSummaryDto;

  @ApiProperty({ type: [EndpointDto] })
  endpoints: EndpointDto[];

  @ApiProperty({ example: '/docs', description: 'Swagger UI; the OpenAPI document is at /docs-json.' })
  docs: string;
}
