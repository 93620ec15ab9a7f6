import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Counter, Histogram } from 'prom-client';
import { counterProvider, histogramProvider, InjectMetric } from './metric.providers';

export const HTTP_REQUESTS_TOTAL = 'http_requests_total';
export const HTTP_REQUEST_DURATION_SECONDS = 'http_request_duration_seconds';

/** The route label of requests that matched no route: scans of random URLs all share this one series. */
export const UNMATCHED_ROUTE = 'unmatched';

type HttpLabels = 'method' | 'route' | 'status';

export const HTTP_METRIC_PROVIDERS = [
  counterProvider<HttpLabels>({
    name: HTTP_REQUESTS_TOTAL,
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
  }),
  histogramProvider<HttpLabels>({
    name: HTTP_REQUEST_DURATION_SECONDS,
    help: 'Time from receiving an HTTP request to sending the last byte of its response, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    // From a cached single text (about a millisecond) to a large batch on a busy CPU (seconds).
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
];

/**
 * Counts and times every HTTP request in a Fastify onResponse hook. The route label is the route's pattern
 * (`/job/:id`), never the URL, so the number of series stays bounded whatever clients send; requests that
 * match no route share the label `unmatched`. /metrics on the main port is counted like any route: scrapes are
 * traffic this server answers, and a slow or too frequent scraper shows up here.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectMetric(HTTP_REQUESTS_TOTAL) private readonly requests: Counter<HttpLabels>,
    @InjectMetric(HTTP_REQUEST_DURATION_SECONDS) private readonly duration: Histogram<HttpLabels>,
  ) {}

  onModuleInit(): void {
    // Nest has registered its routes but Fastify has not started: hooks added now apply to every route.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) this.install(fastify);
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status: String(reply.statusCode) };
      this.requests.inc(labels);
      this.duration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }
}
