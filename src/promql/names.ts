/**
 * Prometheus' classic name rules. Prometheus 3 also accepts quoted UTF-8 names, but
 * prometheus-adapter (and every query template we build) writes names unquoted, so these
 * are the rules that keep a name from changing a query's shape.
 */

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** True for names that can be written unquoted as a label name. */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** True for names that can be written unquoted as a metric name. */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}
