/** The part of autocannon's API the bench uses (the package ships no types). */
declare module 'autocannon' {
  export interface Histogram {
    average: number; mean: number; stddev: number; min: number; max: number; total: number;
    p0_001: number; p0_01: number; p0_1: number; p1: number; p2_5: number; p10: number; p25: number; p50: number;
    p75: number; p90: number; p97_5: number; p99: number; p99_9: number; p99_99: number; p99_999: number;
  }
  export interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    connections?: number;
    pipelining?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    workers?: number;
  }
  export interface Result {
    latency: Histogram;
    requests: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    start: Date;
    finish: Date;
    '2xx': number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
